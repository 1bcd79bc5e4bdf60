"""Shared fixtures: the two loopback fakes and the real bot wired to them; the fake API alone
on a hand-moved clock with a plain HTTP session, for tests that call it directly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.api.settings import ApiSettings
from bot.app import R2VBot, open_bot
from bot.cast.settings import CastSettings
from bot.config import Config, DiscordSettings
from bot.messages import catalog
from bot.policy import LimitBook, LimitSettings
from bot.store.settings import StoreSettings
from bot.tracking.settings import TrackerSettings
from bot.video.settings import VideoSettings
from fakes.fake_bailian import FakeBailian, ManualClock, TaskPlan
from fakes.fake_discord import FakeDiscord, run_bot
from fakes.media import clip_720p_2s, clip_1080p_10s
from tests.common import API_KEY

T = TypeVar("T")

# Fast enough for tests, slow enough to see each status on the way.
FAST_TRACKING = TrackerSettings(
    concurrency=8,
    max_queries_per_second=200.0,
    min_interval_s=0.05,
    max_interval_s=0.3,
    jitter=0.0,
    deadline_s=60.0,
    status_edit_interval_s=0.0,
    delivery_retry_first_s=0.05,
    delivery_retry_max_s=0.3,
)


# Most tests submit several videos quickly as one user: guardrails have tests of their own.
NO_LIMITS = LimitSettings(max_active_per_user=0, user_cooldown_s=0, confirm_above=None)


# Real MP4s, made once per run by ffmpeg (tests of delivery and of the video pipeline).
@pytest.fixture(scope="session")
def clip_1080p() -> Path:
    return clip_1080p_10s()


@pytest.fixture(scope="session")
def clip_720p() -> Path:
    return clip_720p_2s()


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """A bot built with another R2V_DEFAULT_LOCALE sets the process-wide fallback; the next
    test starts from English again."""
    yield
    catalog.set_default_locale(catalog.ENGLISH)


@pytest.fixture
def clock() -> ManualClock:
    """The fake API's clock, moved by hand (`api`)."""
    return ManualClock()


@pytest.fixture
async def api(clock: ManualClock) -> AsyncIterator[FakeBailian]:
    """The fake API on its own, on a hand-moved clock, for tests that call it directly."""
    async with FakeBailian(api_key=API_KEY, clock=clock) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session for tests that make their own requests."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBailian]:
    async with FakeBailian(default_plan=TaskPlan(pending_s=0.2, running_s=0.3)) as api:
        yield api


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake
    # A request violation is a body real Discord rejects (a bot bug); a response violation is
    # an answer real Discord would not send (a fake bug). Either fails the test.
    assert not fake.violations, "exchanges that break Discord's API spec:\n" + "\n".join(
        map(str, fake.violations)
    )


def make_config(
    tmp_path: Path, fake_api: FakeBailian, fake_discord: FakeDiscord, **changes: Any
) -> Config:
    config = Config(
        discord=DiscordSettings(token=fake_discord.bot_token, guild_ids=(fake_discord.guild_id,)),
        api=ApiSettings(api_key=fake_api.api_key, base_url=fake_api.base_url),
        store=StoreSettings(tmp_path / "tasks.sqlite3"),
        tracker=FAST_TRACKING,
        limits=LimitBook(NO_LIMITS),
        video=VideoSettings(video_dir=tmp_path / "videos"),
        # The fake's attachment links count as Discord's own, as DISCORD_API_BASE makes them.
        cast=CastSettings(
            cast_dir=tmp_path / "cast", extra_cdn_hosts=(urlsplit(fake_discord.base_url).netloc,)
        ),
    )
    return replace(config, **changes)


@pytest.fixture
def config(tmp_path: Path, fake_api: FakeBailian, fake_discord: FakeDiscord) -> Config:
    return make_config(tmp_path, fake_api, fake_discord)


@asynccontextmanager
async def running(config: Config, fake_discord: FakeDiscord) -> AsyncIterator[R2VBot]:
    """The real bot, logged in to the fake Discord, with its store and session."""
    async with open_bot(config, guild_ready_timeout=0.05) as bot, run_bot(bot, fake_discord):
        yield bot


@pytest.fixture
async def bot(config: Config, fake_discord: FakeDiscord) -> AsyncIterator[R2VBot]:
    async with running(config, fake_discord) as bot:
        yield bot
    assert not fake_discord.unhandled, "the bot called Discord routes the fake does not know"


async def eventually(
    check: Callable[[], Awaitable[T]], timeout: float = 5.0, what: str = "condition"
) -> T:
    """Await `check()` (an async callable) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
