"""Watching the bot from outside: `/healthz` and `/metrics` on its own small web server."""
