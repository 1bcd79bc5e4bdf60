"""The composition root: loads config (`bot.config.load_settings`, the one reader of the
environment), opens the one aiohttp session and the store, builds the API client, tracker and
bot, and wires them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, Final

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot import operator_text
from bot.api.client import BailianClient
from bot.cast.library import CastLibrary
from bot.cast.service import CastService
from bot.cogs.admin import AdminCog
from bot.cogs.cast import CastCommands, CastMenuCog
from bot.cogs.generate import GenerateCog
from bot.cogs.reference_menu import ReferenceMenuCog
from bot.config import Config, DiscordSettings, load_settings
from bot.logging_setup import configure_logging
from bot.messages import catalog
from bot.observe.metrics import Metrics
from bot.observe.server import CannotServe, ObserveServer, observing
from bot.policy import Moderators
from bot.queries import TaskQueries
from bot.quota.accounts import Accounts
from bot.redaction import Redactor
from bot.service import GenerationService
from bot.store.open import Store, open_store
from bot.stories import Stories
from bot.team.service import TeamSettingsService
from bot.team.values import environment_settings
from bot.tracking.delivery import Backoff
from bot.tracking.ownership import Lease, SharedLease
from bot.tracking.rate_limit import Cap, QueryShare
from bot.tracking.result import ResultPreparer
from bot.tracking.tracker import Tracker
from bot.ui.attachments import AttachmentRefresher
from bot.ui.cast_desk import DiscordCastDesk
from bot.ui.cast_views import CastPageButton
from bot.ui.command_errors import R2VCommandTree
from bot.ui.command_text import CatalogTranslator
from bot.ui.flow import GenerationFlow
from bot.ui.notifier import DiscordNotifier
from bot.ui.private import PrivateReplies
from bot.ui.redaction import RedactingWebhookAdapter, redact_rest_calls
from bot.ui.unrecorded import UnrecordedNotices
from bot.ui.views import TASK_BUTTONS
from bot.version import user_agent
from bot.video import place
from bot.video.fit import Transcoder
from bot.video.housekeeping import Housekeeping
from bot.video.pipeline import VideoPipeline
from bot.video.story import StoryJoiner

log = logging.getLogger(__name__)

USER_AGENT = user_agent()
# How much longer than the API client's longest submit a stop waits for it to be recorded.
SHUTDOWN_MARGIN_S = 5.0
# Waits between attempts to reach Discord at start (log in, first gateway connection): a
# network blip passes in the first few, a long outage is asked about once a minute.
STARTUP_BACKOFF: Final = Backoff(first_s=1.0, max_s=60.0)
# Trouble on the way to Discord that passes by itself: no network, no name, refused, timed out.
PASSING_TROUBLE: Final = (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound)
# What the bot needs in a channel: see it, answer there and in its threads, show embeds, post
# the video, and read history (replies, and the look for an earlier post that keeps delivery
# exactly-once). The README's invite checklist lists the same.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)


def invite_url(app_id: int) -> str:
    return discord.utils.oauth_url(
        app_id, permissions=INVITE_PERMISSIONS, scopes=("bot", "applications.commands")
    )


class StartupError(Exception):
    """Start-up cannot go on; the message is one sentence for the operator."""


def unreachable(error: BaseException) -> str | None:
    """What kept the bot from Discord, when it is trouble that passes (the network, a 5xx):
    in words for the log; None for anything else (a refused token, a bug)."""
    if isinstance(error, discord.DiscordServerError):
        return f"Discord answered HTTP {error.status}"
    if isinstance(error, discord.HTTPException):
        return None  # a 4xx: Discord's answer, which waiting will not change
    if isinstance(error, PASSING_TROUBLE):
        said = str(error)
        return f"{type(error).__name__}: {said}" if said else type(error).__name__
    return None


class _OnlyOurStartupLines(logging.Filter):
    """Until the first gateway connection, drop discord.py's own lines about the attempts the
    bot repeats: its "logging in" at each attempt after the first, and its reconnect line for
    a failed first connection (it names a wait it never makes: Rapptz/discord.py#10520). The
    bot's own line for each attempt says what happened and when it tries again."""

    def __init__(self, bot: discord.Client) -> None:
        super().__init__()
        self._bot = bot
        self._logins = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "logging in using static token":
            self._logins += 1
            return self._logins == 1
        return not (record.funcName == "connect" and self._bot.ws is None)


@contextlib.contextmanager
def _startup_lines(bot: discord.Client) -> Iterator[None]:
    logger = logging.getLogger("discord.client")
    only_ours = _OnlyOurStartupLines(bot)
    logger.addFilter(only_ours)
    try:
        yield
    finally:
        logger.removeFilter(only_ours)


class R2VBot(commands.Bot):
    """The bot on one gateway connection (or the one shard given by `shard_id`)."""

    def __init__(
        self,
        config: Config,
        api: BailianClient,
        store: Store,
        videos: VideoPipeline,
        *,
        lease: Lease | None = None,
        metrics: Metrics | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=R2VCommandTree,
            **options,
        )
        self.config = config
        catalog.set_default_locale(config.default_locale)
        self.api = api
        self.store = store
        self.videos = videos
        # What /metrics shows (the composition root passes the one its client and videos
        # count into); the web server serving it, when R2V_HTTP_ADDR is set (open_bot).
        self.metrics = metrics or Metrics(currency=config.generation.currency)
        self.observer: ObserveServer | None = None
        self.private = PrivateReplies()
        self.notifier = DiscordNotifier(
            self, ResultPreparer(videos), private=self.private, can_cancel=api.can_cancel
        )
        self.tracker = Tracker(
            api, store, self.notifier, config.tracker, lease=lease, metrics=self.metrics
        )
        self.housekeeping = Housekeeping(videos)
        # Submissions a killed or failed run may have paid for without recording them.
        self.unrecorded = UnrecordedNotices(
            self, store, owner=self.tracker.owner, worker_timeout_s=config.tracker.worker_timeout_s
        )
        self.metrics.follow_active(lambda: self.tracker.active_count)
        # Each server's own settings, and its cast (see bot/cogs/cast.py, bot/cogs/admin.py).
        self.team = TeamSettingsService(
            store, lambda guild_id: environment_settings(config.limits, config.generation, guild_id)
        )
        # One fit at a time for the cast's clips and the stories (the cores are shared); the
        # delivery's fits have their own, so an export never holds a member's video.
        transcoder = Transcoder.from_settings(config.video)
        # Who besides its owner may change a cast member, delete a result, run /r2v-admin.
        self.moderators = Moderators(config.limits)
        library = CastLibrary(store, DiscordCastDesk(self), config.cast, transcoder)
        self.cast = CastService(store, library, self.moderators)
        self.service = GenerationService(
            api,
            store,
            self.tracker,
            settings_for=self.team.for_guild,
            prices=config.generation.prices,
            currency=config.generation.currency,
            deadline_s=config.tracker.deadline_s,
            cast=self.cast,
            metrics=self.metrics,
        )
        self.queries = TaskQueries(api, store, self.tracker, videos)
        self.accounts = Accounts(
            store, currency=config.generation.currency, settings_for=self.team.for_guild
        )
        stories = Stories(
            store,
            videos,
            StoryJoiner.from_settings(config.video),
            transcoder,
            currency=config.generation.currency,
        )
        self.flow = GenerationFlow(
            self.service,
            self.queries,
            AttachmentRefresher(self),
            self.private,
            cast=self.cast,
            stories=stories,
            moderators=self.moderators,
        )
        # Nothing secret reaches Discord: every body this bot sends is redacted like the logs.
        redactor = Redactor(config.secrets)
        redact_rest_calls(self, redactor)
        self._webhook_adapter = RedactingWebhookAdapter(redactor)
        self._registered_in: list[str] = []
        self._announced = False
        self._set_up = False
        self._stopping = asyncio.Event()

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        """Log in and connect, waiting for Discord as long as it takes when it cannot be
        reached (network trouble, 5xx): one log line per attempt, capped backoff, and a stop
        ends the wait. A refused token raises LoginFailure at once."""
        # Interaction replies and follow-ups bypass HTTPClient; see bot.ui.redaction.
        self._webhook_adapter.use_in_this_context()
        with _startup_lines(self):
            if not await self._log_in(token):
                return
            await self._connect(reconnect)

    async def _log_in(self, token: str) -> bool:
        """Log in (which runs setup_hook once it has); False when stopped while waiting."""
        for attempt in itertools.count(1):
            try:
                await self.login(token)
                return True
            except discord.LoginFailure:
                raise
            except Exception as error:
                why = unreachable(error)
                if why is None or self._set_up:
                    raise
            # discord.py makes a new session at each log-in: the failed one's goes, with its
            # connector, so the next attempt starts clean.
            await self.http.close()
            self.http.connector = discord.utils.MISSING
            self.http.clear()
            if not await self._wait_for_discord(why, attempt):
                return False
        raise AssertionError("unreachable")

    async def _connect(self, reconnect: bool) -> None:
        """Connect to the gateway. After the first connection discord.py reconnects by itself;
        a first connection that fails it does not retry (Rapptz/discord.py#10520: it fails on
        the missing connection with AttributeError), nor does the sharded bot's first request
        for the gateway: those are retried here."""
        for attempt in itertools.count(1):
            try:
                await self.connect(reconnect=reconnect)
                return
            except Exception as error:
                cause = error.__context__ if isinstance(error, AttributeError) else error
                why = unreachable(cause) if cause is not None else None
                if why is None or self.ws is not None or self._stopping.is_set():
                    raise
            if not await self._wait_for_discord(why, attempt):
                return

    async def _wait_for_discord(self, why: str, attempt: int) -> bool:
        """Log one line for a failed attempt and wait before the next; False when a stop came
        meanwhile."""
        delay = STARTUP_BACKOFF.delay(attempt)
        log.warning(operator_text.discord_unreachable(why, attempt, delay))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._stopping.wait()
        return not self._stopping.is_set()

    async def setup_hook(self) -> None:
        self._set_up = True  # a log-in that fails from here on is not tried again
        generate = GenerateCog(self.flow, self.accounts, cast=self.cast)
        # /r2v cast is a subgroup of /r2v: added to the cog's group before the cog is added.
        r2v = generate.app_command
        assert r2v is not None  # a GroupCog always has its group
        r2v.add_command(CastCommands(self.cast))
        await self.add_cog(generate)
        admin = AdminCog(self.queries, self.accounts, team=self.team, moderators=self.moderators)
        await self.add_cog(admin)
        await self.add_cog(ReferenceMenuCog(self, self.flow))
        await self.add_cog(CastMenuCog(self, self.cast))
        self.add_dynamic_items(*TASK_BUTTONS, CastPageButton)
        await self.tree.set_translator(CatalogTranslator())
        if self.config.discord.syncs_commands:
            await self._sync_commands()
        else:
            log.info(operator_text.commands_synced_elsewhere(self.config.discord.shard_ids))
        await self.tracker.start()
        self.housekeeping.start()
        self.unrecorded.start()

    async def _sync_commands(self) -> None:
        """Register the commands in each listed guild, then globally if asked or if no guild is
        listed. A guild Discord refuses is logged and skipped; the others and the bot go on."""
        settings = self.config.discord
        for guild_id in settings.guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as error:
                log.warning(operator_text.guild_sync_refused(guild_id, error.status, error.text))
                continue
            except PASSING_TROUBLE as error:
                log.warning(operator_text.sync_unreachable(f"in server {guild_id}", error))
                continue
            self._registered_in.append(f"in server {guild_id}")
            log.info("synced %d command(s) to guild %s", len(synced), guild_id)
        if settings.registers_globally:
            if not settings.guild_ids:
                log.info(operator_text.registered_globally_for_lack_of_guilds())
            try:
                synced = await self.tree.sync()
            except discord.HTTPException as error:
                log.warning(operator_text.global_sync_refused(error.status, error.text))
            except PASSING_TROUBLE as error:
                log.warning(operator_text.sync_unreachable("globally", error))
            else:
                self._registered_in.append("globally")
                log.info("synced %d command(s) globally", len(synced))
        elif not settings.guild_ids:
            log.warning(operator_text.registered_nowhere())

    async def on_ready(self) -> None:
        # on_ready comes again after every new gateway session; the announcement is for start-up.
        if self._announced or self.user is None:
            return
        self._announced = True
        log.info(operator_text.online(str(self.user), len(self.guilds), self._registered_in))
        log.info(operator_text.invite(invite_url(self.application_id or self.user.id)))

    async def close(self) -> None:
        self._stopping.set()  # ends a wait for Discord at start
        # From here on no command is submitted; a submission already sent must reach the store
        # before the store closes, or its paid task would be lost. The wait is longer than the
        # API client can take for one submit, so a recorded task is never cut off.
        self.service.stop_accepting()
        await self.service.drain(self.api.submit_time_limit_s + SHUTDOWN_MARGIN_S)
        await self.unrecorded.stop()
        await self.tracker.stop()
        await self.housekeeping.stop()
        await self.videos.close()
        await super().close()


class ShardedR2VBot(R2VBot, commands.AutoShardedBot):
    """The bot on several shards in one process (DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS)."""


def bot_for(
    config: Config, api: BailianClient, store: Store, videos: VideoPipeline, **options: Any
) -> R2VBot:
    """The plain bot, or the sharded one when a shard count is set."""
    settings = config.discord
    if settings.shard_count is None:
        return R2VBot(config, api, store, videos, **options)
    return ShardedR2VBot(
        config,
        api,
        store,
        videos,
        shard_count=settings.shard_count,
        shard_ids=list(settings.shard_ids) or None,
        **options,
    )


def point_discord_at(settings: DiscordSettings) -> None:
    """Send discord.py's REST and gateway traffic to the configured hosts (a local Discord in
    tests and demos). Both are class attributes in discord.py with no constructor option."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


@asynccontextmanager
async def open_bot(config: Config, **bot_options: Any) -> AsyncIterator[R2VBot]:
    """The bot with its session and store (and its web server, when R2V_HTTP_ADDR is set),
    closed in order on exit. Raises StartupError when the store cannot be opened or the address
    cannot be listened on."""
    # No session-wide timeout: every request on this session passes its own, which replaces the
    # session's (the API client its connect/read timeouts, the video downloader its total), since
    # an API call and a whole video download need very different bounds.
    async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as http:
        store = await _open_store(config)
        unbudgeted = operator_text.no_member_budget(config.limits)
        if unbudgeted:
            log.warning(unbudgeted)
        try:
            metrics = Metrics(currency=config.generation.currency)
            # Every process querying the account holds a share of its cap, which the lease
            # takes from the store at every claim round.
            query_limiter = QueryShare(Cap.per_second(config.tracker.max_queries_per_second))
            lease = SharedLease.for_this_process(store, config.tracker, share=query_limiter)
            api = BailianClient.from_settings(
                http, config.api, query_limiter=query_limiter, metrics=metrics
            )
            # Videos come through their own guard (checked hosts, no API key), on the one session.
            videos = VideoPipeline(http, config.video, config.api.base_url, metrics=metrics)
            # One line on where videos are kept; a folder that cannot be written stops nothing.
            log.log(*place.describe(await videos.check_place()))
            bot = bot_for(
                config,
                api,
                store,
                videos,
                lease=lease,
                metrics=metrics,
                **bot_options,
            )
            try:
                redactor = Redactor(config.secrets)
                async with observing(config.observe, bot, store, metrics, redactor) as observer:
                    bot.observer = observer
                    yield bot
            except CannotServe as error:
                raise StartupError(str(error)) from None
            finally:
                if not bot.is_closed():
                    await bot.close()
        finally:
            await store.close()


async def _open_store(config: Config) -> Store:
    url, db_path = config.store.database_url, config.store.db_path
    if url is not None:
        try:
            return await open_store(url, db_path)
        except Exception as error:  # asyncpg's errors share no base class
            raise StartupError(operator_text.shared_database_unusable(error)) from None
    try:
        return await open_store(None, db_path)
    # RuntimeError: SchemaTooNew, or another refusal of the store's.
    except (sqlite3.Error, OSError, RuntimeError) as error:
        raise StartupError(operator_text.store_unusable(db_path, error)) from None


async def run(config: Config) -> int:
    point_discord_at(config.discord)
    try:
        async with open_bot(config) as bot:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
            try:
                await bot.start(config.discord.token)
            except discord.LoginFailure:
                print(f"r2v-bot: {operator_text.token_refused()}", file=sys.stderr)
                return 2
    except StartupError as error:
        # Its sentence may quote a driver's error, which may quote a URL: redacted like the log.
        print(f"r2v-bot: {Redactor(config.secrets).text(str(error))}", file=sys.stderr)
        return 2
    return 0


def main() -> int:
    """`r2v-bot` and `python -m bot`: 0 after a clean stop, 2 when the setup must be fixed."""
    config = load_settings()
    if config is None:
        return 2
    configure_logging(config.log_level, config.secrets)
    # The store is named by open_store once it is open (the URL may hold a password: only its
    # kind is logged there).
    log.info("starting r2v-bot (API %s)", config.api.base_url)
    return asyncio.run(run(config))
