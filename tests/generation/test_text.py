"""Echoed user text shows as typed: no markdown, no live masked links, no mentions."""

from __future__ import annotations

import pytest

from bot.generation.text import has_visible_text, inline_code, plain

ZWSP = "\u200b"

PLAIN = {
    "sizes stay unitalicised": ("1920*1080 … 1280*720", "1920\\*1080 … 1280\\*720"),
    "underscores": ("a_b_c", "a\\_b\\_c"),
    "bold": ("**loud**", "\\*\\*loud\\*\\*"),
    "strike and spoiler": ("~~s~~ ||x||", "\\~\\~s\\~\\~ \\|\\|x\\|\\|"),
    "code": ("`rm -rf`", "\\`rm -rf\\`"),
    "masked link": ("[free nitro](https://evil)", "\\[free nitro\\](https://evil)"),
    "backslash": ("a\\*b", "a\\\\\\*b"),
    "everyone": ("@everyone hi", f"@{ZWSP}everyone hi"),
    "here": ("@here", f"@{ZWSP}here"),
    "user mention": ("<@123>", f"\\<@{ZWSP}123\\>"),
    "nickname mention": ("<@!123>", f"\\<@{ZWSP}!123\\>"),
    "role mention": ("<@&1>", f"\\<@{ZWSP}&1\\>"),
    "channel mention": ("<#1>", "\\<#1\\>"),
    "slash command mention": ("</r2v generate:1>", "\\</r2v generate:1\\>"),
    "heading": ("# big", "\\# big"),
    "subtext": ("-# small", "\\-# small"),
    "quote on a later line": ("ok\n> quoted", "ok\n\\> quoted"),
    "list": ("- one\n  - two", "\\- one\n  \\- two"),
    "numbered list": ("1. one", "1\\. one"),
    "a dash inside a line is left": ("a - b", "a - b"),
    "plain words unchanged": ("character1 waves", "character1 waves"),
}


@pytest.mark.parametrize(("text", "shown"), PLAIN.values(), ids=PLAIN.keys())
def test_plain(text: str, shown: str):
    assert plain(text) == shown


def test_inline_code_neither_ends_early_nor_pings():
    assert inline_code("a`b @everyone") == f"`aˋb @{ZWSP}everyone`"
    assert inline_code("x" * 100, 10) == "`xxxxxxxxx…`"


VISIBLE = {
    "letters": ("a", True),
    "a full stop": (".", True),
    "an emoji": ("🎬", True),
    "CJK": ("猫", True),
    "a letter with a combining mark": ("e\u0301", True),
    "spaces": (" \t\n", False),
    "zero-width characters": ("\u200b\u200c\u200d\u2060\ufeff", False),
    "soft hyphen": ("\u00ad", False),
    "combining marks only": ("\u0301\u0308\u20dd", False),
    "Hangul filler": ("\u3164", False),
    "Braille blank": ("\u2800", False),
    "no-break and ideographic spaces": ("\u00a0\u3000", False),
    "bidi controls": ("\u202e\u2066", False),
    "variation selector": ("\ufe0f", False),
}


@pytest.mark.parametrize(("text", "visible"), VISIBLE.values(), ids=VISIBLE.keys())
def test_has_visible_text(text: str, visible: bool):
    assert has_visible_text(text) is visible
