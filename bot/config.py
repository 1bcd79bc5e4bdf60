"""All settings, read once into one frozen object composed of each layer's own settings.

Nothing here runs at import time: the composition root and the operator's commands call
`load_settings`, the one reader of `.env` and the environment, which prints every problem for the
operator; `load_config` builds the settings from any mapping and only raises. Every default
is written once, in the settings dataclasses; the tables below only say which variable sets which
field and how its text is read, so a variable left empty keeps the dataclass default. Every
missing or malformed value is reported at once, one line each, naming the variable and what to
put there.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from dotenv import load_dotenv

from bot import config_values as read
from bot.api.settings import ApiSettings, ApiTimeouts
from bot.cast.settings import CastSettings
from bot.generation import limits
from bot.generation.request import Defaults
from bot.generation.settings import GenerationSettings
from bot.messages.catalog import ENGLISH
from bot.observe.settings import ObserveSettings
from bot.policy import LimitBook, LimitSettings
from bot.store.settings import StoreSettings
from bot.tracking.settings import TrackerSettings
from bot.video.settings import VideoSettings


class ConfigError(Exception):
    """Settings are missing or malformed: `problems` holds one sentence each for the operator."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, kw_only=True)
class DiscordSettings:
    token: str = field(repr=False)
    guild_ids: tuple[int, ...] = ()
    # None (not set): register globally exactly when no guild is listed, so a first run that
    # names no server still shows its commands.
    sync_global: bool | None = None
    # Another Discord (a local fake in tests and demos); None for the real one.
    api_base: str | None = None
    gateway_url: str | None = None
    # Discord shards: how many the bot has in all, and which of them this process runs. No count:
    # one process runs every shard Discord asks for; a count without ids: all of them here.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()

    @property
    def syncs_commands(self) -> bool:
        """Only one process registers commands: the one holding shard 0 (or the only one)."""
        return not self.shard_ids or 0 in self.shard_ids

    @property
    def registers_globally(self) -> bool:
        return not self.guild_ids if self.sync_global is None else self.sync_global


@dataclass(frozen=True, kw_only=True)
class Config:
    discord: DiscordSettings
    api: ApiSettings
    store: StoreSettings = field(default_factory=StoreSettings)
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    limits: LimitBook = field(default_factory=LimitBook)
    video: VideoSettings = field(default_factory=VideoSettings)
    observe: ObserveSettings = field(default_factory=ObserveSettings)
    cast: CastSettings = field(default_factory=CastSettings)
    log_level: str = "INFO"
    # The language of members whose own (and whose server's) language has no catalog.
    default_locale: str = ENGLISH

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs or in anything sent to Discord."""
        secrets = (self.discord.token, self.api.api_key)
        password = urlsplit(self.store.database_url or "").password
        return (*secrets, password) if password else secrets


# --- which variable sets which field ------------------------------------------------------------


@dataclass(frozen=True)
class _Var:
    name: str
    field: str
    parse: read.Parse
    # For a setting without a default: what to put there.
    hint: str = ""


_DISCORD = (
    _Var(
        "DISCORD_TOKEN",
        "token",
        read.text,
        "your bot's token from https://discord.com/developers/applications (Bot → Reset Token)",
    ),
    _Var("DISCORD_GUILD_IDS", "guild_ids", read.ids),
    _Var("DISCORD_SYNC_GLOBAL", "sync_global", read.boolean),
    _Var("DISCORD_API_BASE", "api_base", read.url("http", "https")),
    _Var("DISCORD_GATEWAY_URL", "gateway_url", read.url("ws", "wss")),
    _Var("DISCORD_SHARD_COUNT", "shard_count", read.whole(1, 100_000)),
    _Var("DISCORD_SHARD_IDS", "shard_ids", read.ids),
)
_API = (
    _Var("R2V_API_KEY", "api_key", read.text, "the API key of your api.gpt.ge account"),
    _Var("R2V_API_BASE", "base_url", read.url("http", "https")),
    _Var("R2V_QUERY_PATH", "query_path_template", read.query_path),
    _Var("R2V_CANCEL_PATH", "cancel_path_template", read.query_path),
)
_API_TIMEOUTS = (
    _Var("R2V_API_CONNECT_TIMEOUT_SECONDS", "connect", read.number(0.1, 600.0)),
    _Var("R2V_API_READ_TIMEOUT_SECONDS", "read", read.number(1.0, 3600.0)),
)
_STORE = (
    _Var("R2V_DB_PATH", "db_path", Path),
    _Var("R2V_DATABASE_URL", "database_url", read.url("postgresql", "postgres")),
)
_TRACKER = (
    _Var("R2V_POLL_CONCURRENCY", "concurrency", read.whole(1, 256)),
    _Var("R2V_DELIVERY_CONCURRENCY", "delivery_concurrency", read.whole(1, 256)),
    _Var("R2V_DELIVERIES_PER_HOST", "deliveries_per_host", read.whole(1, 256)),
    _Var("R2V_MAX_QUERIES_PER_SECOND", "max_queries_per_second", read.number(0.1)),
    _Var("R2V_POLL_MIN_INTERVAL_SECONDS", "min_interval_s", read.number(0.05)),
    _Var("R2V_POLL_MAX_INTERVAL_SECONDS", "max_interval_s", read.number(0.05)),
    _Var("R2V_POLL_JITTER", "jitter", read.number(0.0, 0.5)),
    _Var("R2V_TASK_DEADLINE_MINUTES", "deadline_s", read.number(0.01, scale=60.0)),
    _Var("R2V_STATUS_EDIT_SECONDS", "status_edit_interval_s", read.number(0.0)),
    _Var("R2V_WORKER_TIMEOUT_SECONDS", "worker_timeout_s", read.number(0.2, 3600.0)),
    _Var("R2V_CLAIM_INTERVAL_SECONDS", "claim_interval_s", read.number(0.05, 600.0)),
    _Var("R2V_ACCOUNT_CONCURRENCY", "account_concurrency", read.whole(1, 1000)),
)
_VIDEO = (
    _Var("R2V_VIDEO_DIR", "video_dir", Path),
    _Var("R2V_VIDEO_KEEP_DAYS", "keep_days", read.number(0.0)),
    _Var("R2V_VIDEO_MAX_TOTAL_MB", "max_total_bytes", read.megabytes),
    _Var("R2V_FFMPEG", "ffmpeg", read.text),
    _Var("R2V_DOWNLOAD_TIMEOUT_SECONDS", "download_timeout_s", read.number(1.0, 3600.0)),
    _Var("R2V_TRANSCODE_TIMEOUT_SECONDS", "transcode_timeout_s", read.number(1.0, 3600.0)),
)
_CAST = (_Var("R2V_CAST_DIR", "cast_dir", Path),)
_DEFAULTS = (
    _Var("R2V_DEFAULT_MODEL", "model", read.choice(limits.MODELS)),
    _Var("R2V_DEFAULT_SIZE", "size", read.choice(tuple(limits.SIZES))),
)
_GENERATION = (
    _Var("R2V_CURRENCY", "currency", read.text),
    _Var("R2V_PRICES", "prices", read.prices),
    _Var("R2V_PRIVATE_DEFAULT", "private_default", read.boolean),
)
_LIMITS = (
    _Var("R2V_ALLOWED_CHANNEL_IDS", "allowed_channel_ids", read.id_set),
    _Var("R2V_ALLOWED_ROLE_IDS", "allowed_role_ids", read.id_set),
    _Var("R2V_ADMIN_ROLE_IDS", "admin_role_ids", read.id_set),
    _Var("R2V_MAX_ACTIVE_PER_USER", "max_active_per_user", read.whole(0, 1000)),
    _Var("R2V_USER_COOLDOWN_SECONDS", "user_cooldown_s", read.number(0.0)),
    _Var("R2V_USER_DAILY_SECONDS", "user_daily_seconds", read.whole(0, 10_000_000)),
    _Var("R2V_GUILD_DAILY_SECONDS", "guild_daily_seconds", read.whole(0, 10_000_000)),
    _Var("R2V_USER_DAILY_BUDGET", "user_daily_amount", read.amount()),
    _Var("R2V_GUILD_DAILY_BUDGET", "guild_daily_amount", read.amount()),
    _Var("R2V_CONFIRM_ABOVE", "confirm_above", read.amount(allow_off=True)),
    _Var("R2V_CONFIRM_TIMEOUT_SECONDS", "confirm_timeout_s", read.number(5.0, 840.0)),
)
_OBSERVE = (_Var("R2V_HTTP_ADDR", "http_addr", read.http_address),)
_APP = (
    _Var("LOG_LEVEL", "log_level", read.choice(("DEBUG", "INFO", "WARNING", "ERROR"), upper=True)),
    _Var("R2V_DEFAULT_LOCALE", "default_locale", read.locale),
)

# The settings a guild may override in R2V_GUILD_LIMITS.
LIMIT_SETTINGS = tuple(var.name for var in _LIMITS)


def load_settings() -> Config | None:
    """The settings from `.env` in the working directory and the environment (which wins), or
    None once every problem with them has been printed for the operator."""
    load_dotenv(Path.cwd() / ".env")
    try:
        return load_config(os.environ)
    except ConfigError as error:
        for problem in error.problems:
            print(f"r2v-bot: {problem}", file=sys.stderr)
        return None


def load_config(env: Mapping[str, str]) -> Config:
    """Build the Config from environment variables (after `.env` is loaded by the caller).

    Raises ConfigError listing every problem found, not only the first."""
    problems: list[str] = []
    discord = _section(DiscordSettings, _DISCORD, env, problems)
    if discord is not None:
        _check_shards(discord, problems)
    timeouts = _section(ApiTimeouts, _API_TIMEOUTS, env, problems)
    api = _section(ApiSettings, _API, env, problems, timeouts=timeouts)
    store = _section(StoreSettings, _STORE, env, problems)
    tracker = _section(TrackerSettings, _TRACKER, env, problems)
    if tracker is not None and tracker.max_interval_s < tracker.min_interval_s:
        problems.append(
            "R2V_POLL_MAX_INTERVAL_SECONDS must not be smaller than R2V_POLL_MIN_INTERVAL_SECONDS."
        )
    video = _section(VideoSettings, _VIDEO, env, problems)
    cast = _section(CastSettings, _CAST, env, problems)
    defaults = _section(Defaults, _DEFAULTS, env, problems)
    generation = _section(GenerationSettings, _GENERATION, env, problems, defaults=defaults)
    default_limits = _section(LimitSettings, _LIMITS, env, problems)
    by_guild = _guild_limits(env.get("R2V_GUILD_LIMITS") or "", problems)
    observe = _section(ObserveSettings, _OBSERVE, env, problems)
    app = _values(_APP, env, problems)
    if problems:
        raise ConfigError(problems)
    assert discord and api and store and tracker and generation and default_limits and video
    assert observe
    assert cast
    if discord.api_base:
        # Attachment links of another Discord (a local one in tests and demos) are its own.
        cast = replace(cast, extra_cdn_hosts=(urlsplit(discord.api_base).netloc,))
    limits_by_guild = {
        guild: replace(default_limits, **overrides) for guild, overrides in by_guild.items()
    }
    return Config(
        discord=discord,
        api=api,
        store=store,
        tracker=tracker,
        generation=generation,
        limits=LimitBook(default_limits, MappingProxyType(limits_by_guild)),
        video=video,
        observe=observe,
        cast=cast,
        **app,
    )


def _check_shards(discord: DiscordSettings, problems: list[str]) -> None:
    if discord.shard_ids and discord.shard_count is None:
        problems.append(
            "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT: set the total number of shards."
        )
    elif discord.shard_count is not None:
        outside = [i for i in discord.shard_ids if i >= discord.shard_count]
        if outside:
            problems.append(
                f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT ({discord.shard_count}), "
                f"not {', '.join(map(str, outside))}."
            )


Settings = TypeVar("Settings")


def _section(
    cls: type[Settings],
    table: Sequence[_Var],
    env: Mapping[str, str],
    problems: list[str],
    **parts: object | None,
) -> Settings | None:
    """One settings object from its variables, or None (with its problems added) if it cannot be
    built. `parts` are settings nested in it, None when they could not be built either."""
    found = len(problems)
    values = _values(table, env, problems)
    required = _fields_without_default(cls)
    for var in table:
        if var.field in required and not (env.get(var.name) or "").strip():
            problems.append(
                f"{var.name} is not set: put {var.name}=<{var.hint}> in .env (see .env.example)."
            )
    if len(problems) > found or any(part is None for part in parts.values()):
        return None
    return cls(**values, **parts)


def _fields_without_default(cls: Any) -> set[str]:
    return {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}


def _values(table: Sequence[_Var], env: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
    """The fields whose variables are set, read; a malformed one adds its problem instead."""
    values: dict[str, Any] = {}
    for var in table:
        raw = (env.get(var.name) or "").strip()
        if not raw:
            continue
        try:
            values[var.field] = var.parse(raw)
        except read.Invalid as invalid:
            problems.append(f"{var.name} {invalid}")
    return values


def _guild_limits(raw: str, problems: list[str]) -> dict[int, dict[str, Any]]:
    """R2V_GUILD_LIMITS: a JSON object from guild id to the limit settings that guild overrides,
    written like the variables themselves, e.g. {"123": {"R2V_GUILD_DAILY_BUDGET": "50"}}."""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        problems.append("R2V_GUILD_LIMITS must be a JSON object; see .env.example.")
        return {}
    overrides_by_guild: dict[int, dict[str, Any]] = {}
    for guild, overrides in parsed.items():
        if not str(guild).isdecimal() or not isinstance(overrides, dict):
            problems.append("R2V_GUILD_LIMITS must map numeric guild ids to objects of settings.")
            continue
        unknown = sorted(set(overrides) - set(LIMIT_SETTINGS))
        if unknown:
            problems.append(
                f"R2V_GUILD_LIMITS for guild {guild} names {', '.join(unknown)}, which a guild "
                f"cannot override; it may set {', '.join(LIMIT_SETTINGS)}."
            )
            continue
        guild_problems: list[str] = []
        text = {name: str(value) for name, value in overrides.items()}
        overrides_by_guild[int(guild)] = _values(_LIMITS, text, guild_problems)
        problems.extend(f"R2V_GUILD_LIMITS for guild {guild}: {p}" for p in guild_problems)
    return overrides_by_guild
