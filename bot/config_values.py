"""How the text of each kind of setting is read (bot/config.py's tables name which variable is
which kind). Each reader returns the value or raises `Invalid` with the rest of a sentence that
starts with the variable's name; nothing here reads the environment."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from bot.api.settings import QUERY_PATH_TEMPLATE
from bot.generation.pricing import CNY_LIST_PRICES, PriceTable, parse_price_table
from bot.messages.catalog import LOCALES, catalog_locale
from bot.observe.settings import HttpAddress
from bot.redaction import REDACTED


class Invalid(ValueError):
    """What is wrong with a value, as the rest of a sentence that starts with its name."""


Parse = Callable[[str], Any]


def text(raw: str) -> str:
    return raw


def whole(minimum: int, maximum: int) -> Parse:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise Invalid(f"must be a whole number, not {raw!r}.") from None
        if not minimum <= value <= maximum:
            raise Invalid(f"must be between {minimum} and {maximum}, not {value}.")
        return value

    return parse


def number(minimum: float, maximum: float | None = None, *, scale: float = 1.0) -> Parse:
    """A finite number within bounds, multiplied by `scale` (minutes read into seconds)."""

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise Invalid(f"must be a number, not {raw!r}.") from None
        if not math.isfinite(value):  # "nan" and "inf" parse, and would pass every bound check
            raise Invalid(f"must be a finite number, not {raw!r}.")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise Invalid(f"must be at least {minimum}{upper}, not {raw}.")
        return value * scale

    return parse


def megabytes(raw: str) -> int:
    """A size in MB of 1024×1024 bytes (the unit Discord's upload limits use), read into
    bytes."""
    return int(number(1.0)(raw) * 1024 * 1024)


def boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise Invalid(f"must be true or false, not {raw!r}.")


def choice(choices: Sequence[str], *, upper: bool = False) -> Parse:
    def parse(raw: str) -> str:
        value = raw.upper() if upper else raw
        if value not in choices:
            raise Invalid(f"must be one of {', '.join(choices)}, not {raw!r}.")
        return value

    return parse


def locale(raw: str) -> str:
    served = catalog_locale(raw)
    if served is None:
        raise Invalid(f"must be a language the bot speaks ({', '.join(LOCALES)}), not {raw!r}.")
    return served


def ids(raw: str) -> tuple[int, ...]:
    ids = []
    for part in raw.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdecimal():  # isdigit() also takes "²", which int() refuses
            raise Invalid("must be numeric Discord ids separated by commas.")
        ids.append(int(part))
    return tuple(ids)


def id_set(raw: str) -> frozenset[int]:
    return frozenset(ids(raw))


def url(*schemes: str) -> Parse:
    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc:
            shown = without_password(raw)
            raise Invalid(f"must be a {' or '.join(schemes)} URL with a host, not {shown!r}.")
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


def http_address(raw: str) -> HttpAddress:
    """host:port, [v6 host]:port; port 0 takes any free port."""
    host, colon, port = raw.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or not port.isdecimal() or int(port) > 65535:
        raise Invalid(f"must be host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080, not {raw!r}.")
    return HttpAddress(host, int(port))


def query_path(raw: str) -> str:
    if not raw.startswith("/") or raw.count("{task_id}") != 1:
        raise Invalid(f"must be a path containing {{task_id}} once, like {QUERY_PATH_TEMPLATE}.")
    return raw


def amount(*, allow_off: bool = False) -> Parse:
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
            raise Invalid(f"must be an amount of 0 or more{off}, not {raw!r}.")
        return value

    return parse


def prices(raw: str) -> PriceTable:
    try:
        table = parse_price_table(raw)
    except (ValueError, InvalidOperation) as error:
        raise Invalid(f"is malformed: {error}.") from None
    # A missing entry would make that combination look free to budgets and confirmation.
    missing = [
        f"{model}:{tier}:{'audio' if sound else 'silent'}"
        for model, tier, sound in CNY_LIST_PRICES
        if (model, tier, sound) not in table
    ]
    if missing:
        raise Invalid(f"must price every combination; missing {', '.join(missing)}.")
    return table
