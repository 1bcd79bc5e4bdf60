"""The message catalogs: one Fluent catalog per language, loaded once, rendered by `text`.

Each language is a folder of `.ftl` files under `bot/messages/locales/` (one file per subject,
so work on different subjects does not touch the same file); a message id is unique across a
language's files. Pure apart from reading those package files once.

Arguments: `str` shows as given; `int` as plain digits (ids, timestamps, seconds: write
`NUMBER($n, useGrouping: 1)` in the catalog for `1,500`); an `int` also selects plural variants
(`[one]`, `*[other]`). Money and other decimals arrive already formatted as `str`.

Adding a message:
1. Write it in `locales/en-US/<subject>.ftl` and `locales/zh-CN/<subject>.ftl` under the same id
   with the same variables (a new subject is a new file in both folders).
2. Give it a function in `bot/messages/<subject>.py` that takes `locale: str | None` first:
   `def thing(locale: str | None, ...) -> str: return text(locale, "thing", ...)`.
3. Callers pass `locale_of(interaction)` (bot/ui/interactions.py) for a reply, and
   `record.locale` for a post made later; labels in bot/ui call `text(locale, key)` directly,
   command metadata uses `command_text(key)` (bot/ui/command_text.py).
tests/messages/test_catalog.py then fails until both catalogs have the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import fluent_number
from fluent.syntax import ast

log = logging.getLogger(__name__)

ENGLISH = "en-US"
CHINESE = "zh-CN"
LOCALES = (ENGLISH, CHINESE)

Arg = str | int

_default_locale = ENGLISH


def catalog_locale(locale: str | None) -> str | None:
    """The catalog that serves `locale` (a Discord locale such as `zh-TW` or `en-GB`), or None
    when no catalog does."""
    if not locale:
        return None
    language = locale.split("-")[0].lower()
    if language == "zh":
        return CHINESE
    if language == "en":
        return ENGLISH
    return None


def pick(*candidates: str | None) -> str:
    """The first candidate a catalog serves, else the default locale (`R2V_DEFAULT_LOCALE`)."""
    for candidate in candidates:
        served = catalog_locale(candidate)
        if served is not None:
            return served
    return _default_locale


def set_default_locale(locale: str) -> None:
    """The fallback for a member whose language has no catalog; set once by the composition
    root from `R2V_DEFAULT_LOCALE` (English when it names no catalog)."""
    global _default_locale
    _default_locale = catalog_locale(locale) or ENGLISH


def default_locale() -> str:
    return _default_locale


def text(locale: str | None, key: str, **args: Arg) -> str:
    """Message `key` in `locale` (resolved by `pick`), with its named variables filled in.

    A message missing from a catalog falls back to English and is logged; the catalog test
    keeps that from shipping. An unknown key is a bug and raises KeyError."""
    served = pick(locale)
    if not args:
        return _fixed_text(served, key)
    # The type is part of the key: True == 1, but one shows as a word and the other as a digit.
    return _rendered(served, key, tuple((name, type(value), value) for name, value in args.items()))


@cache
def _fixed_text(served: str, key: str) -> str:
    # Labels and other messages without variables are rendered once: embeds and buttons are
    # built for every status edit.
    return _catalog_with(served, key).render(key, {})


@lru_cache(maxsize=4096)
def _rendered(served: str, key: str, args: tuple[tuple[str, type, Arg], ...]) -> str:
    # The same values come back often (prices, durations, limits): Fluent resolves each
    # combination once. The arguments are strings and ints, so the text depends on them only.
    return _catalog_with(served, key).render(key, {name: value for name, _, value in args})


def _catalog_with(served: str, key: str) -> _Catalog:
    catalog = _catalog(served)
    if key not in catalog.messages and served != ENGLISH:
        log.warning("message %s is missing from the %s catalog", key, served)
        catalog = _catalog(ENGLISH)
    return catalog


def listed(locale: str | None, items: Iterable[str]) -> str:
    """Items joined the way the language lists things: `a, b, c` in English, `a、b、c` in
    Chinese."""
    return text(locale, "list-separator").join(items)


def roles_named(locale: str | None, role_ids: Iterable[int]) -> dict[str, str]:
    """The arguments of a text that may name roles (mentions, which replies never ping):
    `roles` is "none" or "some", `role_list` lists them."""
    mentions = [f"<@&{role_id}>" for role_id in sorted(role_ids)]
    return {"roles": "some" if mentions else "none", "role_list": listed(locale, mentions)}


@dataclass(frozen=True)
class _Catalog:
    bundle: FluentBundle
    messages: frozenset[str]

    def render(self, key: str, args: dict[str, Arg]) -> str:
        message = self.bundle.get_message(key)  # KeyError for an unknown key
        if message.value is None:
            raise KeyError(f"message {key} has no value")
        values = {name: _fluent_value(value) for name, value in args.items()}
        rendered, errors = self.bundle.format_pattern(message.value, values)
        for error in errors:
            log.error("message %s in %s: %s", key, self.bundle.locales[0], error)
        return str(rendered)


def _fluent_value(value: Arg) -> object:
    if isinstance(value, bool):  # a bool is an int: show it as a word, never as 1 or 0
        return str(value)
    if isinstance(value, int):
        return fluent_number(value, useGrouping=False)
    return value


def catalog_sources(locale: str) -> Iterator[tuple[str, str]]:
    """(file name, text) of every `.ftl` file of a locale's catalog, in name order."""
    folder = resources.files("bot.messages") / "locales" / locale
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".ftl"):
            yield entry.name, entry.read_text(encoding="utf-8")


@cache
def _catalog(locale: str) -> _Catalog:
    bundle = FluentBundle([locale], use_isolating=False)
    ids: set[str] = set()
    for name, source in catalog_sources(locale):
        resource = FluentResource(source)
        junk = [entry.content for entry in resource.body if isinstance(entry, ast.Junk)]
        if junk:
            raise ValueError(f"{locale}/{name} has text Fluent cannot parse: {junk[0]!r}")
        found = {entry.id.name for entry in resource.body if isinstance(entry, ast.Message)}
        twice = ids & found
        if twice:
            raise ValueError(f"{locale}/{name} repeats message ids {sorted(twice)}")
        ids |= found
        bundle.add_resource(resource)
    return _Catalog(bundle, frozenset(ids))
