"""Echoed user text shows as typed: no markdown, no live masked links, no mentions."""

from __future__ import annotations

import pytest

from bot.generation.text import has_visible_text, inline_code, link_target, one_line, plain

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


LINK_TARGETS = {
    "a signed OSS link stays as it is": (
        "https://b.oss.example/t.mp4?Expires=1&Signature=ab%2Bc%3D",
        "https://b.oss.example/t.mp4?Expires=1&Signature=ab%2Bc%3D",
    ),
    "a bracket cannot close the masked link": (
        "https://e.example/a)[x](https://evil",
        "https://e.example/a%29%5Bx%5D%28https://evil",
    ),
    "nor an angle bracket a bare one": ("https://e.example/a>b", "https://e.example/a%3Eb"),
    "nor a space or a line break": ("https://e.example/a b\nc", "https://e.example/a%20b%0Ac"),
    "a backtick, a backslash, a quote, a bar": (
        'https://e.example/`\\"|',
        "https://e.example/%60%5C%22%7C",
    ),
}


@pytest.mark.parametrize(("url", "target"), LINK_TARGETS.values(), ids=LINK_TARGETS.keys())
def test_a_link_from_outside_cannot_close_the_link_it_stands_in(url: str, target: str):
    assert link_target(url) == target


def test_one_line_joins_every_run_of_white_space():
    assert one_line("a\n# b\t\tc  ") == "a # b c"
