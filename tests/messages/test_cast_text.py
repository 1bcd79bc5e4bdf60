"""The cast's sentences read in both languages, with members' names shown literally."""

from __future__ import annotations

import pytest

from bot.cast.library import CopyNote, CopyTrouble
from bot.messages import cast as cast_text
from bot.messages.catalog import LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_every_trouble_with_a_copy_reads(locale):
    for trouble in CopyTrouble:
        assert cast_text.copy_trouble(locale, trouble)
        assert "**Mia\\_2**" in cast_text.member_unavailable(locale, "Mia_2", trouble)
    assert "**Mia**" in cast_text.member_lost(locale, "Mia")
    assert cast_text.member_removed(locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_copy_caption_pings_nobody_and_quotes_the_description(locale):
    note = CopyNote("@everyone *Mia*", 42, "red scarf\n# not a heading", locale)
    caption = cast_text.copy_caption(note)
    assert "@\u200beveryone \\*Mia\\*" in caption and "<@42>" in caption
    assert "> red scarf # not a heading" in caption, "one line: no heading can start"
    again = cast_text.copy_caption(CopyNote("Mia", 42, "red scarf", locale, again=True))
    assert "red scarf" not in again
