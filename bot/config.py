"""All settings, read once into one frozen, validated object.

Nothing here runs at import time: `load_config` is called by the composition root. A missing
or malformed value stops start-up with one sentence naming the variable and what to put there.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from bot.generation import limits
from bot.generation.pricing import CNY_LIST_PRICES, PriceTable, parse_price_table
from bot.policy import LimitSettings
from bot.tracking.settings import TrackerSettings


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one sentence for the operator."""


@dataclass(frozen=True)
class Config:
    discord_token: str = field(repr=False)
    api_key: str = field(repr=False)
    api_base: str = "https://api.gpt.ge"
    query_path_template: str = "/task/{task_id}"
    guild_ids: tuple[int, ...] = ()
    sync_global: bool = False
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    default_model: str = limits.FLASH_MODEL
    default_size: str = "1920*1080"
    db_path: Path = Path("data/r2v.sqlite3")
    currency: str = "CNY"
    prices: PriceTable = field(default_factory=lambda: dict(CNY_LIST_PRICES))
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    guild_limits: Mapping[int, LimitSettings] = field(default_factory=dict)
    log_level: str = "INFO"

    def limits_for(self, guild_id: int | None) -> LimitSettings:
        """The limits of a guild: its overrides from R2V_GUILD_LIMITS, or the defaults."""
        return self.guild_limits.get(guild_id, self.limits) if guild_id else self.limits

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs or replies."""
        return (self.discord_token, self.api_key)


# What to tell an operator for each required secret.
_REQUIRED_HINTS = {
    "DISCORD_TOKEN": "your bot's token from https://discord.com/developers/applications "
    "(Bot → Reset Token)",
    "R2V_API_KEY": "the API key of your api.gpt.ge account",
}


def load_config(env: Mapping[str, str]) -> Config:
    """Build the Config from environment variables (after `.env` is loaded by the caller)."""
    reader = _Reader(env)
    tracker = TrackerSettings(
        concurrency=reader.integer("R2V_POLL_CONCURRENCY", 8, minimum=1, maximum=256),
        max_queries_per_second=reader.number("R2V_MAX_QUERIES_PER_SECOND", 5.0, minimum=0.1),
        min_interval_s=reader.number("R2V_POLL_MIN_INTERVAL_SECONDS", 4.0, minimum=0.05),
        max_interval_s=reader.number("R2V_POLL_MAX_INTERVAL_SECONDS", 30.0, minimum=0.05),
        jitter=reader.number("R2V_POLL_JITTER", 0.1, minimum=0.0, maximum=0.5),
        deadline_s=reader.number("R2V_TASK_DEADLINE_MINUTES", 30.0, minimum=0.01) * 60,
        status_edit_interval_s=reader.number("R2V_STATUS_EDIT_SECONDS", 5.0, minimum=0.0),
    )
    if tracker.max_interval_s < tracker.min_interval_s:
        raise ConfigError(
            "R2V_POLL_MAX_INTERVAL_SECONDS must not be smaller than R2V_POLL_MIN_INTERVAL_SECONDS."
        )
    limit_settings = _limit_settings(reader)
    config = Config(
        discord_token=reader.required("DISCORD_TOKEN"),
        api_key=reader.required("R2V_API_KEY"),
        api_base=reader.url("R2V_API_BASE", "https://api.gpt.ge", schemes=("http", "https")),
        query_path_template=reader.query_path("R2V_QUERY_PATH", "/task/{task_id}"),
        guild_ids=reader.id_list("DISCORD_GUILD_IDS"),
        sync_global=reader.boolean("DISCORD_SYNC_GLOBAL", False),
        discord_api_base=reader.optional_url("DISCORD_API_BASE", schemes=("http", "https")),
        discord_gateway_url=reader.optional_url("DISCORD_GATEWAY_URL", schemes=("ws", "wss")),
        default_model=reader.choice("R2V_DEFAULT_MODEL", limits.FLASH_MODEL, limits.MODELS),
        default_size=reader.choice("R2V_DEFAULT_SIZE", "1920*1080", tuple(limits.SIZES)),
        db_path=Path(reader.text("R2V_DB_PATH", "data/r2v.sqlite3")),
        currency=reader.text("R2V_CURRENCY", "CNY"),
        prices=reader.prices("R2V_PRICES"),
        tracker=tracker,
        limits=limit_settings,
        guild_limits=MappingProxyType(_guild_limits(env)),
        log_level=reader.choice(
            "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"), upper=True
        ),
    )
    return config


# The settings a guild may override in R2V_GUILD_LIMITS.
LIMIT_SETTINGS = (
    "R2V_ALLOWED_CHANNEL_IDS",
    "R2V_ALLOWED_ROLE_IDS",
    "R2V_MAX_ACTIVE_PER_USER",
    "R2V_USER_COOLDOWN_SECONDS",
    "R2V_USER_DAILY_SECONDS",
    "R2V_GUILD_DAILY_SECONDS",
    "R2V_USER_DAILY_BUDGET",
    "R2V_GUILD_DAILY_BUDGET",
    "R2V_CONFIRM_ABOVE",
    "R2V_CONFIRM_TIMEOUT_SECONDS",
)


def _limit_settings(reader: _Reader) -> LimitSettings:
    return LimitSettings(
        allowed_channel_ids=frozenset(reader.id_list("R2V_ALLOWED_CHANNEL_IDS")),
        allowed_role_ids=frozenset(reader.id_list("R2V_ALLOWED_ROLE_IDS")),
        max_active_per_user=reader.integer("R2V_MAX_ACTIVE_PER_USER", 3, minimum=0, maximum=1000),
        user_cooldown_s=reader.number("R2V_USER_COOLDOWN_SECONDS", 10.0, minimum=0.0),
        user_daily_seconds=reader.integer(
            "R2V_USER_DAILY_SECONDS", 0, minimum=0, maximum=10_000_000
        ),
        guild_daily_seconds=reader.integer(
            "R2V_GUILD_DAILY_SECONDS", 0, minimum=0, maximum=10_000_000
        ),
        user_daily_amount=reader.amount("R2V_USER_DAILY_BUDGET", Decimal(0)) or Decimal(0),
        guild_daily_amount=reader.amount("R2V_GUILD_DAILY_BUDGET", Decimal(0)) or Decimal(0),
        confirm_above=reader.amount("R2V_CONFIRM_ABOVE", Decimal(5), allow_off=True),
        confirm_timeout_s=reader.number(
            "R2V_CONFIRM_TIMEOUT_SECONDS", 120.0, minimum=5.0, maximum=840.0
        ),
    )


def _guild_limits(env: Mapping[str, str]) -> dict[int, LimitSettings]:
    """R2V_GUILD_LIMITS: a JSON object from guild id to the limit settings that guild overrides,
    written like the variables themselves, e.g. {"123": {"R2V_GUILD_DAILY_BUDGET": "50"}}."""
    raw = (env.get("R2V_GUILD_LIMITS") or "").strip()
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise ConfigError("R2V_GUILD_LIMITS must be a JSON object; see .env.example.") from None
    if not isinstance(parsed, dict):
        raise ConfigError("R2V_GUILD_LIMITS must be a JSON object; see .env.example.")
    limits_by_guild: dict[int, LimitSettings] = {}
    for guild, overrides in parsed.items():
        if not str(guild).isdecimal() or not isinstance(overrides, dict):
            raise ConfigError("R2V_GUILD_LIMITS must map numeric guild ids to objects of settings.")
        unknown = sorted(set(overrides) - set(LIMIT_SETTINGS))
        if unknown:
            raise ConfigError(
                f"R2V_GUILD_LIMITS for guild {guild} names {', '.join(unknown)}, which a guild "
                f"cannot override; it may set {', '.join(LIMIT_SETTINGS)}."
            )
        merged = {**env, **{key: str(value) for key, value in overrides.items()}}
        try:
            limits_by_guild[int(guild)] = _limit_settings(_Reader(merged))
        except ConfigError as error:
            raise ConfigError(f"R2V_GUILD_LIMITS for guild {guild}: {error}") from None
    return limits_by_guild


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def _raw(self, name: str) -> str | None:
        value = self._env.get(name)
        return value.strip() if value is not None and value.strip() else None

    def required(self, name: str) -> str:
        value = self._raw(name)
        if value is None:
            raise ConfigError(
                f"{name} is not set: put {name}=<{_REQUIRED_HINTS[name]}> in .env "
                "(see .env.example)."
            )
        return value

    def text(self, name: str, default: str) -> str:
        return self._raw(name) or default

    def integer(self, name: str, default: int, *, minimum: int, maximum: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
        if not minimum <= value <= maximum:
            raise ConfigError(f"{name} must be between {minimum} and {maximum}, not {value}.")
        return value

    def number(
        self, name: str, default: float, *, minimum: float, maximum: float | None = None
    ) -> float:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, not {raw!r}.") from None
        if not math.isfinite(value):  # "nan" and "inf" parse, and would pass every bound check
            raise ConfigError(f"{name} must be a finite number, not {raw!r}.")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ConfigError(f"{name} must be at least {minimum}{upper}, not {raw}.")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false, not {raw!r}.")

    def choice(
        self, name: str, default: str, choices: tuple[str, ...], *, upper: bool = False
    ) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        value = raw.upper() if upper else raw
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")
        return value

    def id_list(self, name: str) -> tuple[int, ...]:
        raw = self._raw(name)
        if raw is None:
            return ()
        ids = []
        for part in raw.replace(" ", ",").split(","):
            if not part:
                continue
            if not part.isdecimal():  # isdigit() also takes "²", which int() refuses
                raise ConfigError(f"{name} must be numeric Discord ids separated by commas.")
            ids.append(int(part))
        return tuple(ids)

    def url(self, name: str, default: str, *, schemes: tuple[str, ...]) -> str:
        return self.optional_url(name, schemes=schemes) or default

    def optional_url(self, name: str, *, schemes: tuple[str, ...]) -> str | None:
        raw = self._raw(name)
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc:
            raise ConfigError(
                f"{name} must be a {' or '.join(schemes)} URL with a host, not {raw!r}."
            )
        return raw.rstrip("/") if parts.scheme.startswith("http") else raw

    def query_path(self, name: str, default: str) -> str:
        value = self.text(name, default)
        if not value.startswith("/") or value.count("{task_id}") != 1:
            raise ConfigError(f"{name} must be a path containing {{task_id}} once, like {default}.")
        return value

    def amount(self, name: str, default: Decimal, *, allow_off: bool = False) -> Decimal | None:
        """A money amount; with `allow_off`, the word `off` turns the feature off (None)."""
        raw = self._raw(name)
        if raw is None:
            return default
        if allow_off and raw.lower() == "off":
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0:
            off = " or off" if allow_off else ""
            raise ConfigError(f"{name} must be an amount of 0 or more{off}, not {raw!r}.")
        return value

    def prices(self, name: str) -> PriceTable:
        raw = self._raw(name)
        if raw is None:
            return dict(CNY_LIST_PRICES)
        try:
            table = parse_price_table(raw)
        except (ValueError, InvalidOperation) as error:
            raise ConfigError(f"{name} is malformed: {error}.") from None
        # A missing entry would make that combination look free to budgets and confirmation.
        missing = [
            f"{model}:{tier}:{'audio' if sound else 'silent'}"
            for model, tier, sound in CNY_LIST_PRICES
            if (model, tier, sound) not in table
        ]
        if missing:
            raise ConfigError(f"{name} must price every combination; missing {', '.join(missing)}.")
        return table
