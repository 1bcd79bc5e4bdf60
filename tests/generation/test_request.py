"""build_request against the documented model rules (Alibaba's Wan 2.6 reference-to-video
reference and the proxy's ref2video page), each on both sides of
its boundary, and the JSON body it produces."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

from bot.generation.files import AttachmentInput, Reference
from bot.generation.limits import Kind
from bot.generation.problems import ProblemCode, problem
from bot.generation.request import (
    CastInput,
    CommandInput,
    Defaults,
    GenerationRequest,
    InputError,
    build_request,
)
from bot.messages.catalog import ENGLISH
from bot.messages.validation import describe_problem
from fakes.fake_bailian import validate_payload

MB = 1024 * 1024
DEFAULTS = Defaults()


def image(
    slot: int = 1,
    *,
    content_type: str | None = "image/png",
    size: int = 200_000,
    width: int | None = 1024,
    height: int | None = 768,
    filename: str | None = None,
) -> AttachmentInput:
    return AttachmentInput(
        slot=slot,
        filename=filename or f"ref{slot}.png",
        content_type=content_type,
        size=size,
        url=f"https://cdn.discordapp.com/attachments/1/2/ref{slot}.png?ex=1&is=2&hm=3",
        width=width,
        height=height,
    )


def video(slot: int = 1, *, content_type: str = "video/mp4", size: int = 5 * MB) -> AttachmentInput:
    return AttachmentInput(
        slot=slot,
        filename=f"clip{slot}.mp4",
        content_type=content_type,
        size=size,
        url=f"https://cdn.discordapp.com/attachments/1/2/clip{slot}.mp4?ex=1&is=2&hm=3",
    )


def naming(count: int) -> str:
    """A prompt that names every reference, so no warning distracts from the rule under test."""
    return "A scene with " + " and ".join(f"character{n}" for n in range(1, count + 1))


def cmd(**changes) -> CommandInput:
    base = CommandInput(prompt="character1 waves at the camera", attachments=(image(1),))
    return replace(base, **changes)


def padded(length: int) -> str:
    prompt = "character1 walks. "
    return prompt + "x" * (length - len(prompt))


OK = None

# (command, defaults, None when accepted / words each refusal must contain)
CASES = {
    # prompt
    "prompt 1500 chars": (cmd(prompt=padded(1500)), DEFAULTS, OK),
    "prompt 1501 chars": (cmd(prompt=padded(1501)), DEFAULTS, ["1,501", "1,500", "by 1"]),
    "prompt empty": (cmd(prompt=""), DEFAULTS, ["Write a prompt"]),
    "prompt whitespace": (cmd(prompt="  \n\t "), DEFAULTS, ["Write a prompt"]),
    "prompt of zero-width characters": (
        cmd(prompt="\u200b\u200c\u200d\u2060\ufeff\u00ad"),
        DEFAULTS,
        ["only invisible characters", "Write a prompt"],
    ),
    "prompt of combining marks": (cmd(prompt=" \u0301\u0308 "), DEFAULTS, ["invisible"]),
    "prompt of Hangul fillers": (cmd(prompt="\u3164\u3164"), DEFAULTS, ["invisible"]),
    "negative prompt of zero-width characters": (
        cmd(negative_prompt="\u200b\u2060"),
        DEFAULTS,
        ["negative prompt", "only invisible characters", "leave the option out"],
    ),
    "negative prompt of spaces is left out": (cmd(negative_prompt="   "), DEFAULTS, OK),
    "negative 500 chars": (cmd(negative_prompt="n" * 500), DEFAULTS, OK),
    "negative 501 chars": (
        cmd(negative_prompt="n" * 501),
        DEFAULTS,
        ["negative prompt", "501", "500", "by 1"],
    ),
    # characters the task store cannot keep: refused before anything is paid
    "NUL in the prompt": (
        cmd(prompt="character1 wa\x00ves"),
        DEFAULTS,
        ["Character 14 of your prompt", "`haracter1 wa\ufffdves`", "NUL", "U+0000", "delete it"],
    ),
    "lone high surrogate in the prompt": (
        cmd(prompt="character1 waves \ud83d"),
        DEFAULTS,
        ["Character 18 of your prompt", "U+D83D", "broken emoji"],
    ),
    "lone low surrogate in the negative prompt": (
        cmd(negative_prompt="\udc00 blur"),
        DEFAULTS,
        ["Character 1 of your negative prompt", "U+DC00"],
    ),
    # a pair as two code points is still two surrogates: UTF-8 has no encoding for either
    "split pair in the prompt": (cmd(prompt="character1 \ud83d\ude00"), DEFAULTS, ["U+D83D"]),
    "NUL in a link": (
        cmd(links="https://example.com/a\x00.png"),
        DEFAULTS,
        ["link 1", "`https://example.com/a\ufffd.png`", "NUL", "paste the link again"],
    ),
    "NUL in an attachment's address": (
        cmd(attachments=(replace(image(1), url="https://cdn.discordapp.com/a\x00.png"),)),
        DEFAULTS,
        ["ref1", "NUL", "attach the file again"],
    ),
    "what both stores keep is kept": (
        cmd(prompt="character1 \x01\x7f\x85\ufeff\ufffe\uffff\U0010ffff😀 waves"),
        DEFAULTS,
        OK,
    ),
    # reference count
    "0 references": (cmd(attachments=()), DEFAULTS, ["at least one reference", "links"]),
    "1 reference": (cmd(), DEFAULTS, OK),
    "5 references, mixed": (
        cmd(
            prompt=naming(5),
            attachments=(image(1), image(2), video(3)),
            links="https://example.com/a.jpg https://example.com/b.mov",
        ),
        DEFAULTS,
        OK,
    ),
    "6 references, mixed": (
        cmd(
            prompt=naming(5),
            attachments=(image(1), image(2), image(3), video(4)),
            links="https://example.com/a.jpg https://example.com/b.mov",
        ),
        DEFAULTS,
        ["6 references", "at most 5", "Remove 1"],
    ),
    "6 links": (
        cmd(
            prompt=naming(5),
            attachments=(),
            links=" ".join(f"https://example.com/{n}.png" for n in range(6)),
        ),
        DEFAULTS,
        ["6 references", "at most 5"],
    ),
    "3 videos": (cmd(prompt=naming(3), attachments=(video(1), video(2), video(3))), DEFAULTS, OK),
    "4 videos": (
        cmd(
            prompt=naming(4),
            attachments=(video(1), video(2)),
            links="https://example.com/a.mp4,https://example.com/b.MOV",
        ),
        DEFAULTS,
        ["4 of your references are videos", "at most 3", "Replace 1"],
    ),
    # content types
    "image/jpeg": (cmd(attachments=(image(content_type="image/jpeg"),)), DEFAULTS, OK),
    "image/png": (cmd(attachments=(image(content_type="image/png"),)), DEFAULTS, OK),
    "image/bmp": (cmd(attachments=(image(content_type="image/bmp"),)), DEFAULTS, OK),
    "image/webp": (cmd(attachments=(image(content_type="image/webp"),)), DEFAULTS, OK),
    "image/gif": (
        cmd(attachments=(image(content_type="image/gif"),)),
        DEFAULTS,
        ["ref1", "image/gif", "JPEG, PNG, BMP or WEBP", "MP4 or MOV"],
    ),
    "image/heic": (
        cmd(attachments=(image(content_type="image/heic"),)),
        DEFAULTS,
        ["image/heic", "JPEG"],
    ),
    "video/webm": (
        cmd(attachments=(video(content_type="video/webm"),)),
        DEFAULTS,
        ["video/webm", "MP4 or MOV"],
    ),
    "no content type": (
        cmd(attachments=(image(content_type=None),)),
        DEFAULTS,
        ["unknown type", "JPEG"],
    ),
    "video/mp4": (cmd(attachments=(video(content_type="video/mp4"),)), DEFAULTS, OK),
    "video/quicktime": (cmd(attachments=(video(content_type="video/quicktime"),)), DEFAULTS, OK),
    # image dimensions
    "image 240x240": (cmd(attachments=(image(width=240, height=240),)), DEFAULTS, OK),
    "image width 239": (
        cmd(attachments=(image(width=239, height=1000),)),
        DEFAULTS,
        ["239×1000", "at least 240 px"],
    ),
    "image height 239": (
        cmd(attachments=(image(width=1000, height=239),)),
        DEFAULTS,
        ["1000×239", "at least 240 px"],
    ),
    "image 5000x5000": (cmd(attachments=(image(width=5000, height=5000),)), DEFAULTS, OK),
    "image width 5001": (
        cmd(attachments=(image(width=5001, height=1000),)),
        DEFAULTS,
        ["5001×1000", "at most 5000 px"],
    ),
    "image height 5001": (
        cmd(attachments=(image(width=1000, height=5001),)),
        DEFAULTS,
        ["1000×5001", "at most 5000 px"],
    ),
    # file sizes
    "image 10 MB": (cmd(attachments=(image(size=10 * MB),)), DEFAULTS, OK),
    "image 10 MB + 1": (
        cmd(attachments=(image(size=10 * MB + 1),)),
        DEFAULTS,
        ["images must be at most 10.0 MB"],
    ),
    "video 100 MB": (cmd(attachments=(video(size=100 * MB),)), DEFAULTS, OK),
    "video 100 MB + 1": (
        cmd(attachments=(video(size=100 * MB + 1),)),
        DEFAULTS,
        ["clips must be at most 100.0 MB"],
    ),
    # links
    "http link": (cmd(attachments=(), links="http://example.com/a.png"), DEFAULTS, OK),
    "https link": (cmd(attachments=(), links="https://example.com/a.png"), DEFAULTS, OK),
    "ftp link": (
        cmd(attachments=(), links="ftp://example.com/a.png"),
        DEFAULTS,
        ["link 1", "http:// or https://"],
    ),
    "link without host": (
        cmd(attachments=(), links="https:///a.png"),
        DEFAULTS,
        ["http:// or https://"],
    ),
    "javascript link": (
        cmd(attachments=(), links="javascript:alert(1)//a.png"),
        DEFAULTS,
        ["http:// or https://"],
    ),
    "link to a page": (
        cmd(attachments=(), links="https://example.com/gallery/photo-of-me"),
        DEFAULTS,
        ["direct link", ".png", ".mp4"],
    ),
    "link to 127.0.0.1": (
        cmd(attachments=(), links="http://127.0.0.1/a.png"),
        DEFAULTS,
        ["private or local", "public link"],
    ),
    "link to 10.x": (
        cmd(attachments=(), links="http://10.1.2.3/a.png"),
        DEFAULTS,
        ["private or local"],
    ),
    "link to localhost": (
        cmd(attachments=(), links="http://localhost:8000/a.png"),
        DEFAULTS,
        ["private or local"],
    ),
    "link to [::1]": (
        cmd(attachments=(), links="http://[::1]/a.png"),
        DEFAULTS,
        ["private or local"],
    ),
    "link with an unclosed bracket": (
        cmd(attachments=(), links="http://[::1/a.png"),
        DEFAULTS,
        ["link 1", "IPv6", "paste it again"],
    ),
    "link to 127.0.0.1 in hex": (
        cmd(attachments=(), links="http://0x7f.1/a.png"),
        DEFAULTS,
        ["private or local"],
    ),
    # character mentions
    "character2 of 2": (cmd(prompt=naming(2), attachments=(image(1), image(2))), DEFAULTS, OK),
    "character3 of 2": (
        cmd(prompt=naming(3), attachments=(image(1), image(2))),
        DEFAULTS,
        ["character3", "2 references", "character1–character2"],
    ),
    "character0": (
        cmd(prompt="character0 and character1"),
        DEFAULTS,
        ["character0", "1 reference", "Add references or change the prompt"],
    ),
    # audio
    "silent flash": (cmd(model="wan2.6-r2v-flash", audio=False), DEFAULTS, OK),
    "silent wan2.6-r2v": (
        cmd(model="wan2.6-r2v", audio=False),
        DEFAULTS,
        ["only with wan2.6-r2v-flash", "always generates sound"],
    ),
    "wan2.6-r2v with audio on": (cmd(model="wan2.6-r2v", audio=True), DEFAULTS, OK),
    # duration
    "duration 1": (cmd(duration=1), DEFAULTS, ["2–10 seconds", "not 1"]),
    "duration 2": (cmd(duration=2), DEFAULTS, OK),
    "duration 10": (cmd(duration=10), DEFAULTS, OK),
    "duration 11": (cmd(duration=11), DEFAULTS, ["2–10 seconds", "not 11"]),
    # seed
    "seed -1": (cmd(seed=-1), DEFAULTS, ["Seed", "0 to 2,147,483,647"]),
    "seed 0": (cmd(seed=0), DEFAULTS, OK),
    "seed max": (cmd(seed=2_147_483_647), DEFAULTS, OK),
    "seed max + 1": (cmd(seed=2_147_483_648), DEFAULTS, ["Seed", "0 to 2,147,483,647"]),
    # shot type and defaults from config
    "shot multi": (cmd(shot_type="multi"), DEFAULTS, OK),
    "shot unknown": (cmd(shot_type="cinematic"), DEFAULTS, ["single", "multi"]),
    "unknown default model": (
        cmd(),
        Defaults(model="wan2.5-r2v"),
        ["wan2.5-r2v", "unknown", "wan2.6-r2v-flash"],
    ),
    "unknown default size": (
        cmd(),
        Defaults(size="1920x1080"),
        ["1920x1080", "not offered", "1920*1080"],
    ),
    "other documented default size": (cmd(), Defaults(size="832*1088"), OK),
}


@pytest.mark.parametrize(("command", "defaults", "expected"), CASES.values(), ids=CASES.keys())
def test_documented_rules(command: CommandInput, defaults: Defaults, expected: list[str] | None):
    if expected is None:
        request = build_request(command, defaults)
        # Whatever we accept, the service (as the fake models it) accepts too.
        validate_payload(request.to_payload())
        return
    with pytest.raises(InputError) as caught:
        build_request(command, defaults)
    assert len(caught.value.problems) == 1, caught.value.problems
    problem = describe_problem(ENGLISH, caught.value.problems[0])
    for word in expected:
        assert word in problem


def test_a_file_name_the_store_cannot_keep_is_kept_with_a_replacement_character():
    # Only a label (the API gets the address): not worth refusing the file for.
    request = build_request(cmd(attachments=(image(1, filename="a\x00b\ud800.png"),)), DEFAULTS)
    assert request.references[0].name == "a\ufffdb\ufffd.png"
    json.dumps(request.to_record(), ensure_ascii=False).encode()  # UTF-8 all through


def test_several_problems_are_reported_together():
    command = CommandInput(
        prompt="",
        attachments=(image(1, content_type="image/gif"), image(2, width=100, height=100)),
        links="ftp://example.com/a.png",
        duration=11,
        seed=-5,
        negative_prompt="n" * 600,
    )
    with pytest.raises(InputError) as caught:
        build_request(command, DEFAULTS)

    problems = caught.value.problems
    assert len(problems) == 7, problems
    text = "\n".join(describe_problem(ENGLISH, p) for p in problems)
    for word in ("Write a prompt", "negative prompt", "not 11", "Seed", "image/gif", "240", "ftp"):
        assert word in text
    # The exception's own text, for logs, names each problem by its code.
    assert str(caught.value).startswith("prompt_missing(); negative_prompt_too_long(")


def test_a_refused_attachment_does_not_make_valid_character_names_look_out_of_range():
    # ref1 has the wrong type, ref2 is fine: the user gave two references, so character2 is a
    # valid name and only the file type needs changing.
    command = CommandInput(
        prompt="character1 hugs character2",
        attachments=(image(1, content_type="image/heic"), image(2)),
    )
    with pytest.raises(InputError) as caught:
        build_request(command, DEFAULTS)

    assert len(caught.value.problems) == 1, caught.value.problems
    assert "image/heic" in describe_problem(ENGLISH, caught.value.problems[0])


# --- links ---------------------------------------------------------------------------------


def test_link_separators_and_angle_brackets():
    links = (
        "<https://example.com/1.png>, https://example.com/2.jpg\n"
        "https://example.com/3.webp  ,https://example.com/4.mp4"
    )
    request = build_request(cmd(prompt=naming(4), attachments=(), links=links), DEFAULTS)

    assert [ref.url for ref in request.references] == [
        "https://example.com/1.png",
        "https://example.com/2.jpg",
        "https://example.com/3.webp",
        "https://example.com/4.mp4",
    ]
    assert [ref.source for ref in request.references] == ["link 1", "link 2", "link 3", "link 4"]


@pytest.mark.parametrize(
    ("link", "kind", "file_format"),
    [
        ("https://example.com/Photo.PNG", "image", "PNG"),
        ("https://example.com/p.JpEg", "image", "JPEG"),
        ("https://example.com/p.jpg", "image", "JPEG"),
        ("https://example.com/p.bmp", "image", "BMP"),
        ("https://example.com/p.webp", "image", "WEBP"),
        ("https://example.com/take.mov", "video", "MOV"),
        ("https://example.com/take.MP4?download=1", "video", "MP4"),
        ("https://example.com/v1.2/take.mp4", "video", "MP4"),
    ],
)
def test_link_extension_decides_the_kind(link: str, kind: str, file_format: str):
    request = build_request(cmd(attachments=(), links=link), DEFAULTS)

    (reference,) = request.references
    assert (reference.kind, reference.file_format, reference.url) == (kind, file_format, link)


def test_directory_with_a_dot_is_not_a_file_extension():
    with pytest.raises(InputError) as caught:
        build_request(cmd(attachments=(), links="https://example.com/v1.2/gallery"), DEFAULTS)
    assert "direct link" in describe_problem(ENGLISH, caught.value.problems[0])


def test_discord_signed_attachment_url_is_an_image_from_its_path():
    link = "https://cdn.discordapp.com/attachments/1/2/a.png?ex=65f&is=65e&hm=abc123"
    request = build_request(cmd(attachments=(), links=f"<{link}>"), DEFAULTS)

    (reference,) = request.references
    assert reference.kind == "image"
    assert reference.url == link  # the signature must be kept, or the link stops working
    assert reference.name == "a.png"


# --- character names -------------------------------------------------------------------------


def test_character_names_are_case_insensitive():
    request = build_request(
        cmd(prompt="Character1 greets CHARACTER2", attachments=(image(1), image(2))), DEFAULTS
    )
    assert request.warnings == ()


def test_a_reference_never_named_is_a_warning_not_an_error():
    request = build_request(
        cmd(prompt="character1 dances", attachments=(image(1), image(2), image(3))), DEFAULTS
    )

    assert len(request.references) == 3
    (warning,) = (describe_problem(ENGLISH, w) for w in request.warnings)
    assert "character2, character3" in warning
    assert "character1," not in warning


def test_character_with_a_space_gets_a_warning():
    request = build_request(cmd(prompt="character 1 dances"), DEFAULTS)

    assert any(
        "without a space" in describe_problem(ENGLISH, warning) for warning in request.warnings
    )


# --- payload ---------------------------------------------------------------------------------


def test_typical_payload_is_exactly_the_documented_body():
    command = CommandInput(
        prompt="  character1 hands character2 a cup; character3 watches  ",
        attachments=(
            AttachmentInput(
                slot=3,
                filename="cup.jpg",
                content_type="image/jpeg",
                size=1000,
                url="https://cdn.example/cup.jpg",
                width=800,
                height=600,
            ),
            AttachmentInput(
                slot=1,
                filename="anna.png",
                content_type="image/png",
                size=1000,
                url="https://cdn.example/anna.png",
                width=800,
                height=600,
            ),
        ),
        links="https://example.com/z-bob.mp4",
        size="1280*720",
        duration=10,
        shot_type="multi",
        seed=42,
        audio=False,
        negative_prompt=" blur ",
    )
    request = build_request(command, DEFAULTS)

    assert request.to_payload() == {
        "model": "wan2.6-r2v-flash",
        "input": {
            "prompt": "character1 hands character2 a cup; character3 watches",
            "reference_urls": [
                "https://cdn.example/anna.png",
                "https://cdn.example/cup.jpg",
                "https://example.com/z-bob.mp4",
            ],
            "negative_prompt": "blur",
        },
        "parameters": {
            "size": "1280*720",
            "duration": 10,
            "shot_type": "multi",
            "seed": 42,
            "audio": False,
        },
    }
    assert '"audio": false' in json.dumps(request.to_payload())


def test_minimal_payload_sends_size_and_duration_and_nothing_optional():
    request = build_request(cmd(), DEFAULTS)

    assert request.to_payload() == {
        "model": "wan2.6-r2v-flash",
        "input": {
            "prompt": "character1 waves at the camera",
            "reference_urls": [image(1).url],
        },
        "parameters": {"size": "1920*1080", "duration": 5},
    }


def test_references_follow_slot_order_then_links_in_written_order():
    command = cmd(
        prompt=naming(5),
        attachments=(image(5), image(2), image(4)),
        links="https://example.com/b.png https://example.com/a.png",
    )
    request = build_request(command, DEFAULTS)

    assert request.to_payload()["input"]["reference_urls"] == [
        image(2).url,
        image(4).url,
        image(5).url,
        "https://example.com/b.png",
        "https://example.com/a.png",
    ]


def test_audio_is_never_sent_for_wan26_r2v():
    request = build_request(cmd(model="wan2.6-r2v", audio=True), DEFAULTS)

    assert "audio" not in request.to_payload()["parameters"]
    assert request.has_audio


def test_audio_true_is_sent_for_flash_and_absent_when_left_out():
    on = build_request(cmd(audio=True), DEFAULTS).to_payload()
    left_out = build_request(cmd(), DEFAULTS).to_payload()

    assert on["parameters"]["audio"] is True
    assert "audio" not in left_out["parameters"]


def test_config_defaults_are_used_for_options_left_out():
    request = build_request(cmd(), Defaults(model="wan2.6-r2v", size="1080*1920"))

    payload = request.to_payload()
    assert (payload["model"], payload["parameters"]["size"]) == ("wan2.6-r2v", "1080*1920")


def test_seed_zero_is_sent():
    assert build_request(cmd(seed=0), DEFAULTS).to_payload()["parameters"]["seed"] == 0


# --- derived requests --------------------------------------------------------------------------


def test_a_redone_request_with_new_prompts_applies_the_same_rules():
    request = build_request(cmd(attachments=(image(1), image(2)), prompt=naming(2)), DEFAULTS)

    redone = replace(request.as_command(), prompt="  character2 sits  ", negative_prompt="  ")
    changed = build_request(redone, DEFAULTS)
    assert changed.prompt == "character2 sits"
    assert changed.negative_prompt is None
    assert changed.references == request.references
    assert any("character1" in describe_problem(ENGLISH, warning) for warning in changed.warnings)

    for prompt, words in ((padded(1501), "1,500"), ("character3 sits", "character3")):
        with pytest.raises(InputError) as caught:
            build_request(replace(request.as_command(), prompt=prompt), DEFAULTS)
        assert words in describe_problem(ENGLISH, caught.value.problems[0])


def test_an_edit_keeps_the_references_and_checks_every_option():
    request = build_request(cmd(attachments=(image(1), video(2)), prompt=naming(2)), DEFAULTS)
    changes = CommandInput(prompt=naming(2), model="wan2.6-r2v", size="1280*720", duration=3)

    edited = build_request(request.edited(changes), DEFAULTS)
    assert edited.references == request.references
    assert (edited.model, edited.size, edited.duration) == ("wan2.6-r2v", "1280*720", 3)
    with pytest.raises(InputError) as caught:
        build_request(request.edited(replace(changes, duration=11)), DEFAULTS)
    assert "11" in describe_problem(ENGLISH, caught.value.problems[0])


def test_a_continuation_puts_the_video_first_within_the_limits():
    clips = tuple(video(slot) for slot in range(1, 4))
    request = build_request(
        cmd(attachments=(*clips, image(4), image(5)), prompt=naming(5)), DEFAULTS
    )

    following = build_request(
        request.continued_from("https://cdn.example/v.mp4", "character1 bows"), DEFAULTS
    )
    sources = [ref.source for ref in following.references]
    # Five in all and three clips at most: the third clip gives way to the video.
    assert sources == ["previous video", "ref1", "ref2", "ref4", "ref5"]
    assert following.prompt == "character1 bows" and following.seed is None


def test_with_reference_urls_replaces_addresses_in_order():
    request = build_request(cmd(attachments=(image(1), image(2)), prompt=naming(2)), DEFAULTS)

    moved = request.with_reference_urls(["https://new/1.png", "https://new/2.png"])
    assert moved.to_payload()["input"]["reference_urls"] == [
        "https://new/1.png",
        "https://new/2.png",
    ]
    assert [ref.name for ref in moved.references] == ["ref1.png", "ref2.png"]
    noted = build_request(cmd(attachments=(image(1), image(2)), prompt="character1"), DEFAULTS)
    assert noted.with_reference_urls(["a", "b"]).warnings == noted.warnings != ()
    with pytest.raises(ValueError):
        request.with_reference_urls(["https://new/1.png"])


def test_record_round_trip_through_json():
    command = cmd(
        prompt=naming(2),
        attachments=(image(1),),
        links="https://example.com/b.mov",
        model="wan2.6-r2v",
        size="1440*1440",
        duration=7,
        shot_type="single",
        negative_prompt="rain",
    )
    request = build_request(command, DEFAULTS).with_random_seed(random.Random(1))

    restored = GenerationRequest.from_record(json.loads(json.dumps(request.to_record())))

    assert restored == request
    assert restored.references == request.references
    assert restored.seed_is_random and restored.seed == request.seed
    assert restored.to_payload() == request.to_payload()


def test_white_space_around_a_prompt_does_not_count_towards_its_limit():
    command = CommandInput(
        prompt="  " + "a" * 1500 + "\n",
        links="https://example.com/a.png",
    )
    request = build_request(command, Defaults())
    assert len(request.prompt) == 1500


def test_a_size_just_over_the_limit_is_shown_exactly_not_rounded_to_the_limit():
    big = AttachmentInput(
        slot=1,
        filename="big.png",
        content_type="image/png",
        size=10 * 1024 * 1024 + 1,
        url="https://cdn.example.com/big.png",
        width=1000,
        height=1000,
    )
    with pytest.raises(InputError) as caught:
        build_request(CommandInput(prompt="character1", attachments=(big,)), Defaults())
    assert "10,485,761 bytes (limit 10,485,760)" in describe_problem(
        ENGLISH, caught.value.problems[0]
    )


# -- the cast (bot.generation.cast resolves `cast:`; these are the request's rules with it) ------


def cast_of(*kinds: Kind, prompt: str = "", warnings=(), problems=()) -> CastInput:
    references = tuple(
        Reference("", kind, "PNG" if kind == "image" else "MP4", f"cast:{n}", f"member{n}")
        for n, kind in enumerate(kinds, start=1)
    )
    return CastInput(references, prompt, None, tuple(warnings), tuple(problems))


def test_the_cast_comes_first_and_its_prompt_is_sent():
    command = CommandInput(prompt="member1 walks character1", attachments=(image(1),))
    cast = cast_of("image", prompt="character1 walks character2")
    request = build_request(command, DEFAULTS, cast)
    assert [r.source for r in request.references] == ["cast:1", "ref1"]
    assert request.prompt == "character1 walks character2"
    assert request.warnings == ()


def test_a_cast_alone_is_enough_references():
    request = build_request(
        CommandInput(prompt="Mia waves"), DEFAULTS, cast_of("image", prompt="x")
    )
    assert len(request.references) == 1


@pytest.mark.parametrize(
    ("kinds", "attachments", "code", "params"),
    [
        (
            ("image", "image"),
            (image(1), image(2), image(3), image(4)),
            ProblemCode.CAST_TOO_MANY_REFERENCES,
            {"cast": 2, "others": 4, "given": 6, "limit": 5},
        ),
        (
            ("video",),
            (image(1), image(2), image(3), image(4), image(5), image(6)),
            ProblemCode.CAST_TOO_MANY_REFERENCES,
            {"cast": 1, "others": 6, "given": 7, "limit": 5},
        ),
        (
            ("video", "video"),
            (video(1), video(2)),
            ProblemCode.CAST_TOO_MANY_CLIPS,
            {"videos": 4, "limit": 3},
        ),
    ],
    ids=["five-with-the-cast", "own-alone-too-many", "clips"],
)
def test_every_limit_counts_the_cast(kinds, attachments, code, params):
    command = CommandInput(prompt=naming(len(attachments)), attachments=attachments)
    with pytest.raises(InputError) as refused:
        build_request(command, DEFAULTS, cast_of(*kinds, prompt="x"))
    assert [(p.code, dict(p.params)) for p in refused.value.problems] == [(code, params)]


def test_with_a_cast_characterN_counts_the_members_own_references_as_they_wrote_them():
    command = CommandInput(prompt="Mia eyes character2", attachments=(image(1),))
    with pytest.raises(InputError) as refused:
        build_request(command, DEFAULTS, cast_of("image", prompt="character1 eyes character3"))
    [found] = refused.value.problems
    assert found.code is ProblemCode.CAST_CHARACTER_OUT_OF_RANGE
    assert dict(found.params) == {"characters": (2,), "references": 1}


def test_own_references_never_named_are_numbered_as_they_are_sent():
    command = CommandInput(prompt="Mia waves", attachments=(image(1), image(2)))
    cast = cast_of(
        "image",
        prompt="character1 waves",
        warnings=(problem(ProblemCode.CAST_NOT_CHOSEN, cast_names=("Robot",)),),
    )
    request = build_request(command, DEFAULTS, cast)
    assert [(w.code, dict(w.params)) for w in request.warnings] == [
        (ProblemCode.CHARACTERS_NEVER_NAMED, {"characters": (2, 3)}),
        (ProblemCode.CAST_NOT_CHOSEN, {"cast_names": ("Robot",)}),
    ]


def test_the_casts_problems_are_listed_with_the_requests_own():
    cast = cast_of(problems=(problem(ProblemCode.CAST_UNKNOWN, cast_names=("Ghost",)),))
    with pytest.raises(InputError) as refused:
        build_request(CommandInput(prompt="   "), DEFAULTS, cast)
    assert [p.code for p in refused.value.problems] == [
        ProblemCode.PROMPT_MISSING,
        ProblemCode.CAST_UNKNOWN,
        ProblemCode.REFERENCES_MISSING,
    ]


def test_a_characterN_written_between_chinese_characters_is_checked():
    command = CommandInput(prompt="把杯子递给character2", attachments=(image(1),))
    with pytest.raises(InputError) as refused:
        build_request(command, DEFAULTS)
    assert refused.value.problems[0].code is ProblemCode.CHARACTER_OUT_OF_RANGE


def test_the_default_duration_is_the_servers():
    request = build_request(
        CommandInput(prompt="character1", attachments=(image(1),)), Defaults(duration=8)
    )
    assert request.duration == 8
