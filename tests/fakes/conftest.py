"""The tests of the fake Discord call it `fake`."""

from __future__ import annotations

import pytest

from fakes.fake_discord import FakeDiscord


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    """tests/conftest.py's `fake_discord`: its exchanges must keep to Discord's spec, except
    the violations a test provokes and takes."""
    return fake_discord
