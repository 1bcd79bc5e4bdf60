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
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from dotenv import load_dotenv

from bot.api.settings import QUERY_PATH_TEMPLATE, ApiSettings, ApiTimeouts
from bot.cast.settings import CastSettings
from bot.generation import limits
from bot.generation.pricing import CNY_LIST_PRICES, PriceTable, parse_price_table
from bot.generation.request import Defaults
from bot.generation.settings import GenerationSettings
from bot.messages.catalog import ENGLISH, LOCALES, catalog_locale
from bot.observe.settings import HttpAddress, ObserveSettings
from bot.policy import LimitBook, LimitSettings
from bot.redaction import REDACTED
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


# --- how each kind of value is read ------------------------------------------------------------


class _Invalid(ValueError):
    """What is wrong with a value, as the rest of a sentence that starts with its name."""


Parse = Callable[[str], Any]


def _text(raw: str) -> str:
    return raw


def _whole(minimum: int, maximum: int) -> Parse:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise _Invalid(f"must be a whole number, not {raw!r}.") from None
        if not minimum <= value <= maximum:
            raise _Invalid(f"must be between {minimum} and {maximum}, not {value}.")
        return value

    return parse


def _number(minimum: float, maximum: float | None = None, *, scale: float = 1.0) -> Parse:
    """A finite number within bounds, multiplied by `scale` (minutes read into seconds)."""

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise _Invalid(f"must be a number, not {raw!r}.") from None
        if not math.isfinite(value):  # "nan" and "inf" parse, and would pass every bound check
            raise _Invalid(f"must be a finite number, not {raw!r}.")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise _Invalid(f"must be at least {minimum}{upper}, not {raw}.")
        return value * scale

    return parse


def _megabytes(raw: str) -> int:
    """A size in MB of 1024×1024 bytes (the unit Discord's upload limits use), read into
    bytes."""
    return int(_number(1.0)(raw) * 1024 * 1024)


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise _Invalid(f"must be true or false, not {raw!r}.")


def _choice(choices: Sequence[str], *, upper: bool = False) -> Parse:
    def parse(raw: str) -> str:
        value = raw.upper() if upper else raw
        if value not in choices:
            raise _Invalid(f"must be one of {', '.join(choices)}, not {raw!r}.")
        return value

    return parse


def _locale(raw: str) -> str:
    served = catalog_locale(raw)
    if served is None:
        raise _Invalid(f"must be a language the bot speaks ({', '.join(LOCALES)}), not {raw!r}.")
    return served


def _ids(raw: str) -> tuple[int, ...]:
    ids = []
    for part in raw.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdecimal():  # isdigit() also takes "²", which int() refuses
            raise _Invalid("must be numeric Discord ids separated by commas.")
        ids.append(int(part))
    return tuple(ids)


def _id_set(raw: str) -> frozenset[int]:
    return frozenset(_ids(raw))


def _url(*schemes: str) -> Parse:
    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc:
            shown = without_password(raw)
            raise _Invalid(f"must be a {' or '.join(schemes)} URL with a host, not {shown!r}.")
        return raw.rstrip("/") if parts.scheme.startswith("http") else raw

    return parse


def without_password(url: str) -> str:
    """`url` fit to be shown: what stands before the last `@` after `//` (or from the start,
    for a URL too malformed to have a `//`) is user information, and its password is replaced;
    a user part without one is replaced whole, since it may be a token. Errs toward hiding."""
    at = url.rfind("@")
    if at < 0:
        return url
    start = url.find("//")
    start = 0 if start < 0 or start > at else start + 2
    user, colon, _password = url[start:at].partition(":")
    userinfo = f"{user}:{REDACTED}" if colon else REDACTED
    return f"{url[:start]}{userinfo}{url[at:]}"


def _http_address(raw: str) -> HttpAddress:
    """host:port, [v6 host]:port; port 0 takes any free port."""
    host, colon, port = raw.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or not port.isdecimal() or int(port) > 65535:
        raise _Invalid(f"must be host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080, not {raw!r}.")
    return HttpAddress(host, int(port))


def _query_path(raw: str) -> str:
    if not raw.startswith("/") or raw.count("{task_id}") != 1:
        raise _Invalid(f"must be a path containing {{task_id}} once, like {QUERY_PATH_TEMPLATE}.")
    return raw


def _amount(*, allow_off: bool = False) -> Parse:
    """A money amount; with `allow_off`, the word `off` turns the feature off (None)."""

    def parse(raw: str) -> Decimal | None:
        if allow_off and raw.lower() == "off":
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0:
            off = " or off" if allow_off else ""
            raise _Invalid(f"must be an amount of 0 or more{off}, not {raw!r}.")
        return value

    return parse


def _prices(raw: str) -> PriceTable:
    try:
        table = parse_price_table(raw)
    except (ValueError, InvalidOperation) as error:
        raise _Invalid(f"is malformed: {error}.") from None
    # A missing entry would make that combination look free to budgets and confirmation.
    missing = [
        f"{model}:{tier}:{'audio' if sound else 'silent'}"
        for model, tier, sound in CNY_LIST_PRICES
        if (model, tier, sound) not in table
    ]
    if missing:
        raise _Invalid(f"must price every combination; missing {', '.join(missing)}.")
    return table


# --- which variable sets which field ------------------------------------------------------------


@dataclass(frozen=True)
class _Var:
    name: str
    field: str
    parse: Parse
    # For a setting without a default: what to put there.
    hint: str = ""


_DISCORD = (
    _Var(
        "DISCORD_TOKEN",
        "token",
        _text,
        "your bot's token from https://discord.com/developers/applications (Bot → Reset Token)",
    ),
    _Var("DISCORD_GUILD_IDS", "guild_ids", _ids),
    _Var("DISCORD_SYNC_GLOBAL", "sync_global", _boolean),
    _Var("DISCORD_API_BASE", "api_base", _url("http", "https")),
    _Var("DISCORD_GATEWAY_URL", "gateway_url", _url("ws", "wss")),
    _Var("DISCORD_SHARD_COUNT", "shard_count", _whole(1, 100_000)),
    _Var("DISCORD_SHARD_IDS", "shard_ids", _ids),
)
_API = (
    _Var("R2V_API_KEY", "api_key", _text, "the API key of your api.gpt.ge account"),
    _Var("R2V_API_BASE", "base_url", _url("http", "https")),
    _Var("R2V_QUERY_PATH", "query_path_template", _query_path),
    _Var("R2V_CANCEL_PATH", "cancel_path_template", _query_path),
)
_API_TIMEOUTS = (
    _Var("R2V_API_CONNECT_TIMEOUT_SECONDS", "connect", _number(0.1, 600.0)),
    _Var("R2V_API_READ_TIMEOUT_SECONDS", "read", _number(1.0, 3600.0)),
)
_STORE = (
    _Var("R2V_DB_PATH", "db_path", Path),
    _Var("R2V_DATABASE_URL", "database_url", _url("postgresql", "postgres")),
)
_TRACKER = (
    _Var("R2V_POLL_CONCURRENCY", "concurrency", _whole(1, 256)),
    _Var("R2V_DELIVERY_CONCURRENCY", "delivery_concurrency", _whole(1, 256)),
    _Var("R2V_DELIVERIES_PER_HOST", "deliveries_per_host", _whole(1, 256)),
    _Var("R2V_MAX_QUERIES_PER_SECOND", "max_queries_per_second", _number(0.1)),
    _Var("R2V_POLL_MIN_INTERVAL_SECONDS", "min_interval_s", _number(0.05)),
    _Var("R2V_POLL_MAX_INTERVAL_SECONDS", "max_interval_s", _number(0.05)),
    _Var("R2V_POLL_JITTER", "jitter", _number(0.0, 0.5)),
    _Var("R2V_TASK_DEADLINE_MINUTES", "deadline_s", _number(0.01, scale=60.0)),
    _Var("R2V_STATUS_EDIT_SECONDS", "status_edit_interval_s", _number(0.0)),
    _Var("R2V_WORKER_TIMEOUT_SECONDS", "worker_timeout_s", _number(0.2, 3600.0)),
    _Var("R2V_CLAIM_INTERVAL_SECONDS", "claim_interval_s", _number(0.05, 600.0)),
    _Var("R2V_ACCOUNT_CONCURRENCY", "account_concurrency", _whole(1, 1000)),
)
_VIDEO = (
    _Var("R2V_VIDEO_DIR", "video_dir", Path),
    _Var("R2V_VIDEO_KEEP_DAYS", "keep_days", _number(0.0)),
    _Var("R2V_VIDEO_MAX_TOTAL_MB", "max_total_bytes", _megabytes),
    _Var("R2V_FFMPEG", "ffmpeg", _text),
    _Var("R2V_DOWNLOAD_TIMEOUT_SECONDS", "download_timeout_s", _number(1.0, 3600.0)),
    _Var("R2V_TRANSCODE_TIMEOUT_SECONDS", "transcode_timeout_s", _number(1.0, 3600.0)),
)
_CAST = (_Var("R2V_CAST_DIR", "cast_dir", Path),)
_DEFAULTS = (
    _Var("R2V_DEFAULT_MODEL", "model", _choice(limits.MODELS)),
    _Var("R2V_DEFAULT_SIZE", "size", _choice(tuple(limits.SIZES))),
)
_GENERATION = (
    _Var("R2V_CURRENCY", "currency", _text),
    _Var("R2V_PRICES", "prices", _prices),
    _Var("R2V_PRIVATE_DEFAULT", "private_default", _boolean),
)
_LIMITS = (
    _Var("R2V_ALLOWED_CHANNEL_IDS", "allowed_channel_ids", _id_set),
    _Var("R2V_ALLOWED_ROLE_IDS", "allowed_role_ids", _id_set),
    _Var("R2V_MAX_ACTIVE_PER_USER", "max_active_per_user", _whole(0, 1000)),
    _Var("R2V_USER_COOLDOWN_SECONDS", "user_cooldown_s", _number(0.0)),
    _Var("R2V_USER_DAILY_SECONDS", "user_daily_seconds", _whole(0, 10_000_000)),
    _Var("R2V_GUILD_DAILY_SECONDS", "guild_daily_seconds", _whole(0, 10_000_000)),
    _Var("R2V_USER_DAILY_BUDGET", "user_daily_amount", _amount()),
    _Var("R2V_GUILD_DAILY_BUDGET", "guild_daily_amount", _amount()),
    _Var("R2V_CONFIRM_ABOVE", "confirm_above", _amount(allow_off=True)),
    _Var("R2V_CONFIRM_TIMEOUT_SECONDS", "confirm_timeout_s", _number(5.0, 840.0)),
)
_OBSERVE = (_Var("R2V_HTTP_ADDR", "http_addr", _http_address),)
_APP = (
    _Var("LOG_LEVEL", "log_level", _choice(("DEBUG", "INFO", "WARNING", "ERROR"), upper=True)),
    _Var("R2V_DEFAULT_LOCALE", "default_locale", _locale),
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
        except _Invalid as invalid:
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
