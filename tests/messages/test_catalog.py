"""The two catalogs say the same things: every message in both, with the same variables, and
the resolution of Discord's locales to a catalog."""

from __future__ import annotations

import pytest

from bot.messages import catalog
from bot.messages.catalog import CHINESE, ENGLISH, LOCALES, catalog_locale, pick, text
from tests.messages.catalogs import catalog_messages


def test_every_message_is_in_every_catalog_with_the_same_variables():
    by_locale = {locale: dict(catalog_messages(locale)) for locale in LOCALES}
    english = by_locale[ENGLISH]
    for locale, messages in by_locale.items():
        assert sorted(set(english) - set(messages)) == [], f"missing from {locale}"
        assert sorted(set(messages) - set(english)) == [], f"only in {locale}"
        differing = {
            key: (sorted(english[key]), sorted(messages[key]))
            for key in english
            if english[key] != messages[key]
        }
        assert differing == {}, f"variables that differ in {locale} (en-US, {locale})"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_id_is_defined_twice(locale: str):
    ids = [key for key, _ in catalog_messages(locale)]
    assert sorted({key for key in ids if ids.count(key) > 1}) == []


def test_the_parity_check_sees_a_missing_placeholder():
    """The comparison above reads variables from the parsed catalogs, so it fails for real."""
    from fluent.syntax import FluentParser, ast

    from tests.messages.catalogs import variables

    (with_var,) = FluentParser().parse("m = Task { $task_id } done\n").body
    (without,) = FluentParser().parse("m = 任务已完成\n").body
    assert isinstance(with_var, ast.Message) and isinstance(without, ast.Message)
    assert variables(with_var) == {"task_id"} and variables(without) == set()


@pytest.mark.parametrize(
    ("discord_locale", "served"),
    [
        ("en-US", ENGLISH),
        ("en-GB", ENGLISH),
        ("zh-CN", CHINESE),
        ("zh-TW", CHINESE),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_discord_locales_resolve_to_a_catalog(discord_locale: str | None, served: str | None):
    assert catalog_locale(discord_locale) == served


def test_a_language_without_catalog_falls_back_to_the_default_then_english():
    try:
        catalog.set_default_locale("zh-CN")
        assert pick("fr", None) == CHINESE
        assert pick("fr", "en-GB") == ENGLISH
        catalog.set_default_locale("fr")
        assert pick("de") == ENGLISH
    finally:
        catalog.set_default_locale(ENGLISH)


def test_text_fills_variables_and_keeps_markdown_and_timestamps():
    english = text(ENGLISH, "unrecorded", task_id="abc-123")
    chinese = text(CHINESE, "unrecorded", task_id="abc-123")
    assert "`abc-123`" in english and "`/r2v status task_id:abc-123`" in english
    assert "`abc-123`" in chinese and "`/r2v status task_id:abc-123`" in chinese
    # Ids and timestamps are shown as digits, never grouped as numbers.
    assert "<t:1700000000:R>" in text(CHINESE, "submitted-at", at=1_700_000_000)
    assert text(ENGLISH, "problem-seed-out-of-range", low=0, high=2147483647).endswith(
        "from 0 to 2,147,483,647."
    )


def test_a_rendered_text_is_reused_only_for_the_same_values_of_the_same_type():
    assert text(ENGLISH, "budget-seconds", seconds=1) == "1 billed s"
    # True == 1 and both hash alike: the cache must not hand back the digit for a bool.
    assert text(ENGLISH, "budget-seconds", seconds=True) == "True billed s"
    assert text(ENGLISH, "budget-seconds", seconds=2) == "2 billed s"
    assert text(CHINESE, "budget-seconds", seconds=1) != text(ENGLISH, "budget-seconds", seconds=1)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_renders_without_errors(locale: str, caplog: pytest.LogCaptureFixture):
    """No message refers to a message, term or function that does not exist."""
    for key, names in catalog_messages(locale):
        assert text(locale, key, **dict.fromkeys(names, 2)), key
    assert [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []
