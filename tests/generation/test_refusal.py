"""Refusals as users read them: every kind of problem has a sentence, a refusal always fits
one Discord message, and what the user typed comes back literally."""

from __future__ import annotations

import re

import pytest

from bot.generation.files import AttachmentInput
from bot.generation.problems import Problem, ProblemCode, problem
from bot.generation.request import CommandInput, Defaults, InputError, build_request
from bot.messages.catalog import ENGLISH, LOCALES
from bot.messages.validation import (
    DISCORD_MESSAGE_LIMIT,
    describe_problem,
    problem_key,
    problem_list,
    refusal,
)
from tests.messages.catalogs import catalog_messages


def refused(command: CommandInput) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as caught:
        build_request(command, Defaults())
    return caught.value.problems


@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_of_problem_has_a_sentence(locale: str):
    messages = {key for key, _ in catalog_messages(locale)}
    assert {problem_key(code) for code in ProblemCode} <= messages


def test_twenty_five_non_links_give_a_refusal_that_fits_and_counts_the_rest():
    words = " ".join(f"not-a-link-{n}-" + "x" * 60 for n in range(25))
    problems = refused(CommandInput(prompt="character1 waves", links=words))
    assert len(problems) == 26  # 25 links and "too many references"

    text = refusal(ENGLISH, problems)

    assert len(text) <= DISCORD_MESSAGE_LIMIT
    assert text.startswith("**Nothing was submitted.** Please change these:\n")
    shown = text.count("\n• ")
    left_out = int(re.search(r"…and (\d+) more problems", text).group(1))  # type: ignore[union-attr]
    assert shown >= 3 and shown + left_out == 26
    # The count comes first, so the problem that matters most is never the one left out.
    assert text.splitlines()[1].startswith("• You gave 25 references; the model takes at most 5.")
    assert "link 1 (`not-a-link-0-" in text


def test_a_long_link_is_shortened_where_it_is_echoed():
    link = "https://example.com/" + "a" * 3000
    (only,) = refused(CommandInput(prompt="character1", links=link))

    sentence = describe_problem(ENGLISH, only)
    assert len(sentence) < 400 and "…`" in sentence


@pytest.mark.parametrize("budget", [2000, 500, 120, 40])
def test_a_refusal_never_exceeds_its_budget(budget: int):
    problems = [problem(ProblemCode.LINK_NOT_A_FILE, number=n, link="x" * 90) for n in range(40)]

    assert len(refusal(ENGLISH, problems, budget)) <= budget


def test_problems_that_fit_are_all_shown_without_a_count():
    problems = refused(CommandInput(prompt="", duration=11))

    text = problem_list(ENGLISH, problems)
    assert text.count("• ") == len(problems) == 3
    assert "more problem" not in text


def test_one_problem_gets_a_singular_heading():
    text = refusal(ENGLISH, [problem(ProblemCode.PROMPT_MISSING)])

    assert text == (
        "**Nothing was submitted.** Please change this:\n"
        "• Write a prompt: describe the video and refer to people as character1, …"
    )


def test_echoed_text_cannot_ping_or_format():
    (bad_link,) = refused(CommandInput(prompt="character1", links="@everyone**[x](y)**"))
    sentence = describe_problem(ENGLISH, bad_link)
    assert "@everyone" not in sentence and "`@\u200beveryone**[x](y)**`" in sentence

    (bad_type,) = refused(
        CommandInput(
            prompt="character1",
            attachments=(_attachment(content_type="image/x_y_z", filename="<@123> `hi`.png"),),
        )
    )
    sentence = describe_problem(ENGLISH, bad_type)
    assert "image/x\\_y\\_z" in sentence and "`<@\u200b123> ˋhiˋ.png`" in sentence


def test_offered_sizes_are_shown_as_code_so_their_stars_are_not_italics():
    sentence = describe_problem(
        ENGLISH, problem(ProblemCode.SIZE_NOT_OFFERED, size="1x1", sizes=("1920*1080", "1280*720"))
    )
    assert sentence == "Size `1x1` is not offered; pick one of `1920*1080`, `1280*720`."


def _attachment(*, content_type: str, filename: str) -> AttachmentInput:
    return AttachmentInput(
        slot=1, filename=filename, content_type=content_type, size=1, url="https://e.example/a"
    )
