"""A Discord of our own on 127.0.0.1 for a real discord.py bot (see server.py)."""

from fakes.fake_discord.common import FakeDiscordError, FakeGuild, Recorded, Violation
from fakes.fake_discord.interactions import FakeInteraction
from fakes.fake_discord.run import run_bot
from fakes.fake_discord.server import FakeDiscord

__all__ = [
    "FakeDiscord",
    "FakeDiscordError",
    "FakeGuild",
    "FakeInteraction",
    "Recorded",
    "Violation",
    "run_bot",
]
