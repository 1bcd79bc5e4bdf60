"""The cast as the prompt sees it (pure): names checked, `cast:` read, prompts rewritten as
whole words, and the problems and notices of choosing members, as tables."""

from __future__ import annotations

import pytest

from bot.generation.cast import (
    CastEntry,
    Casting,
    cast_id_of,
    cast_source,
    check_clip_length,
    check_description,
    check_name,
    name_key,
    plan_cast,
    split_last,
    split_names,
)
from bot.generation.problems import Problem, ProblemCode, problem
from bot.messages.catalog import CHINESE, ENGLISH, LOCALES
from bot.messages.validation import describe_problem

P = ProblemCode


def image(name: str) -> CastEntry:
    return CastEntry(name, "image")


def clip(name: str) -> CastEntry:
    return CastEntry(name, "video")


SERVER = [
    image("Mia"),
    image("Mia Rose"),
    image("Robot"),
    image("Dr. Who"),
    image("R2-D2"),
    image("小明"),
    image("Ana"),
    clip("Walker"),
]
NAMES = [entry.name for entry in SERVER]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Mia", "Mia"),
        ("  Mia   Rose ", "Mia Rose"),
        ("Dr. Who", "Dr. Who"),
        ("R2-D2", "R2-D2"),
        ("小明", "小明"),
        ("x" * 32, "x" * 32),
        ("Chloé", "Chloé"),
    ],
)
def test_good_names_are_kept_tidied(typed, kept):
    assert check_name(typed) == kept


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", P.CAST_NAME_MISSING),
        ("   ", P.CAST_NAME_MISSING),
        ("\u200b", P.CAST_NAME_MISSING),
        ("x" * 33, P.CAST_NAME_TOO_LONG),
        ("Mia, Robot", P.CAST_NAME_COMMA),
        ("小明，小红", P.CAST_NAME_COMMA),
        ("Mia\u200bRose", P.CAST_NAME_INVISIBLE),
        # What no store can keep: refused here, not a traceback when the member is stored.
        ("Mi\x00a", P.CAST_NAME_INVISIBLE),
        ("Mi\ud800a", P.CAST_NAME_INVISIBLE),
        ("!!!", P.CAST_NAME_NO_LETTER),
        ("character1", P.CAST_NAME_RESERVED),
        ("Character 12", P.CAST_NAME_RESERVED),
    ],
)
def test_bad_names_say_why(typed, code):
    refused = check_name(typed)
    assert isinstance(refused, Problem) and refused.code is code


def test_names_are_one_name_regardless_of_case_width_and_spacing():
    assert name_key("Mia Rose") == name_key("  mia   ROSE ") == name_key("ｍｉａ ｒｏｓｅ")
    assert name_key("Mia") != name_key("Mia Rose")


def test_descriptions_and_clip_lengths():
    assert check_description("  red scarf ") == "red scarf"
    assert check_description("   ") is None and check_description(None) is None
    # A description is a label: what no store can keep is shown as U+FFFD, not refused.
    assert check_description("red\x00scarf\udc00") == "red\ufffdscarf\ufffd"
    too_long = check_description("x" * 201)
    assert isinstance(too_long, Problem) and too_long.code is P.CAST_DESCRIPTION_TOO_LONG
    assert check_clip_length(1.0, "a.mp4") is None and check_clip_length(30.0, "a.mp4") is None
    short = check_clip_length(0.5, "a.mp4")
    assert short == problem(P.CLIP_LENGTH, filename="a.mp4", tenths=5, low=1, high=30)
    assert check_clip_length(30.04, "a.mp4") is not None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Mia, Robot", ["Mia", "Robot"]),
        (" Mia ,, Robot ,", ["Mia", "Robot"]),
        ("小明，小红、Mia", ["小明", "小红", "Mia"]),
        ("Mia  Rose", ["Mia Rose"]),
        ("", []),
        (None, []),
    ],
)
def test_the_cast_option_is_split_into_names(text, names):
    assert split_names(text) == names


@pytest.mark.parametrize(
    ("typed", "before", "last"),
    [
        ("", [], ""),
        ("Mi", [], "Mi"),
        ("Mia, Ro", ["Mia"], "Ro"),
        ("Mia，Robot、 小", ["Mia", "Robot"], "小"),
        ("Mia, ", ["Mia"], ""),
    ],
)
def test_the_name_being_typed_is_after_the_last_separator(typed, before, last):
    assert split_last(typed) == (before, last)


def test_a_cast_reference_names_its_member():
    assert cast_id_of(cast_source(42)) == 42
    assert cast_id_of("ref1") is None and cast_id_of("cast:") is None
    assert cast_id_of("cast:x1") is None and cast_id_of("link 2") is None


@pytest.mark.parametrize(
    ("chosen", "prompt", "rewritten"),
    [
        (["Mia", "Robot"], "Mia hands Robot a cup", "character1 hands character2 a cup"),
        (["mia", "ROBOT"], "MIA hands robot a cup", "character1 hands character2 a cup"),
        (["Mia Rose", "Mia"], "Mia Rose meets Mia", "character1 meets character2"),
        (["Mia"], "Mia Rose and Mia", "Mia Rose and character1"),
        (
            ["Mia"],
            "Miami, Mias and Amia stay; Mia's cup",
            "Miami, Mias and Amia stay; character1's cup",
        ),
        (["Dr. Who"], "Dr. Who waves at dr.  who.", "character1 waves at character1."),
        (["R2-D2"], "R2-D2 beeps, R2-D2s do not", "character1 beeps, R2-D2s do not"),
        (["小明", "Robot"], "小明把杯子递给Robot。", "character1把杯子递给character2。"),
        (["Mia"], "一杯给Mia的咖啡", "一杯给character1的咖啡"),
        (["Mia"], "Mia_2 and Mia2 are other words", "Mia_2 and Mia2 are other words"),
        (["Mia"], "Mia walks character1's dog", "character1 walks character2's dog"),
        (["Mia", "Robot"], "character2 and CHARACTER1", "character4 and character3"),
        (["Mia"], "character12x stays", "character12x stays"),
        (["Ana"], "Banana Ana ana", "Banana character1 character1"),
    ],
)
def test_chosen_names_become_their_characters_as_whole_words(chosen, prompt, rewritten):
    plan = plan_cast(chosen, SERVER, NAMES, prompt=prompt)
    assert plan.problems == ()
    assert plan.prompt == rewritten


def test_the_plan_orders_members_maps_them_and_rewrites_the_negative_prompt():
    plan = plan_cast(
        ["robot", "Walker"],
        SERVER,
        NAMES,
        prompt="Robot follows Walker past character1",
        negative_prompt="no Robot clones, no character2",
    )
    assert plan.members == (image("Robot"), clip("Walker"))
    assert plan.castings == (Casting("Robot", 1), Casting("Walker", 2))
    assert plan.shift == 2
    assert plan.prompt == "character1 follows character2 past character3"
    assert plan.negative_prompt == "no character1 clones, no character4"
    assert plan.problems == () and plan.warnings == ()


def test_no_cast_changes_nothing():
    plan = plan_cast([], [], NAMES, prompt="character1 sits")
    assert plan.prompt == "character1 sits" and plan.members == () and plan.problems == ()


@pytest.mark.parametrize(
    ("chosen", "prompt", "negative", "problems"),
    [
        (
            ["Nobody", "Mia", "Ghost"],
            "Mia",
            None,
            [problem(P.CAST_UNKNOWN, cast_names=("Nobody", "Ghost"))],
        ),
        (
            ["Mia", "MIA", "Robot", "robot"],
            "Mia Robot",
            None,
            [problem(P.CAST_REPEATED, cast_names=("Mia", "Robot"))],
        ),
        (
            ["Mia"],
            "Mia " * 375,
            None,
            [problem(P.CAST_PROMPT_TOO_LONG, length=4124, limit=1500)],
        ),
        (["Mia"], "Mia " * 400, None, []),  # too long as written: the request's own check
        (
            ["Mia"],
            "Mia",
            "Mia " * 125,
            [problem(P.CAST_NEGATIVE_PROMPT_TOO_LONG, length=1374, limit=500)],
        ),
    ],
    ids=["unknown", "repeated", "long", "long-as-written", "long-negative"],
)
def test_what_refuses_a_choice(chosen, prompt, negative, problems):
    plan = plan_cast(chosen, SERVER, NAMES, prompt=prompt, negative_prompt=negative)
    assert list(plan.problems) == problems


def test_notices_of_names_not_chosen_and_members_never_named():
    plan = plan_cast(
        ["Mia", "Walker"],
        [image("Mia"), clip("Walker")],
        NAMES,
        prompt="Mia and Robot watch 小明 and the robots",
    )
    assert plan.prompt == "character1 and Robot watch 小明 and the robots"
    assert plan.warnings == (
        problem(P.CAST_NOT_CHOSEN, cast_names=("Robot", "小明")),
        problem(P.CAST_NEVER_NAMED, cast_names=("Walker",)),
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_cast_problem_reads_in_both_languages(locale):
    problems = [
        problem(P.CAST_NAME_TOO_LONG, length=40, limit=32),
        problem(P.CAST_NAME_COMMA, cast_name="a,b"),
        problem(P.CLIP_LENGTH, filename="walk.mp4", tenths=312, low=1, high=30),
        problem(P.CAST_UNKNOWN, cast_names=("Nobody",)),
        problem(P.CAST_REPEATED, cast_names=("Mia", "Robot")),
        problem(P.CAST_TOO_MANY_REFERENCES, cast=2, others=4, given=6, limit=5),
        problem(P.CAST_NOT_CHOSEN, cast_names=("Robot",)),
        problem(P.CAST_NEVER_NAMED, cast_names=("Walker", "Mia")),
        problem(P.CAST_NEGATIVE_PROMPT_TOO_LONG, length=510, limit=500),
        problem(P.CAST_CHARACTER_OUT_OF_RANGE, characters=(2,), references=1),
        problem(P.CAST_CHARACTER_OUT_OF_RANGE, characters=(1, 3), references=0),
    ]
    texts = [describe_problem(locale, p) for p in problems]
    assert "`walk.mp4`" in texts[2] and "31.2" in texts[2]
    assert "`Nobody`" in texts[3]
    if locale == ENGLISH:
        assert texts[5].startswith("2 cast members and 4 other references make 6")
        assert "Remove 1." in texts[5]
        assert "does not choose it" in texts[6]
        assert "Shorten it by 10" in texts[8]
        assert "character2" in texts[9] and "character1)" in texts[9]
        assert "none of your own" in texts[10]
    if locale == CHINESE:
        assert "选它" in texts[6] and "这些参考" in texts[7]
        assert "character2" in texts[9] and "你没有附上自己的参考" in texts[10]
