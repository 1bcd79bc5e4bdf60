"""Loopback fakes of Discord and of the Bailian API, shared by the tests, the demo and the bench."""
