"""A file offered to the cast, judged by what Discord says of it and by what it holds (pure,
on real images and clips made by ffmpeg)."""

from __future__ import annotations

import pytest

from bot.cast.files import (
    ImageFacts,
    discord_file_link,
    image_facts,
    judge_clip,
    judge_image,
    judge_offer,
    kept_filename,
    offered_link,
)
from bot.generation.files import AttachmentInput
from bot.generation.problems import ProblemCode
from bot.store.cast import CastFile
from bot.video.mp4 import NotMp4, probe
from fakes.media import make_image, make_mp4

P = ProblemCode


@pytest.mark.parametrize(
    ("kind", "alpha", "facts"),
    [
        ("png", False, ImageFacts("PNG", 640, 480)),
        ("png", True, ImageFacts("PNG", 640, 480, transparent=True)),
        ("jpg", False, ImageFacts("JPEG", 640, 480)),
        ("bmp", False, ImageFacts("BMP", 640, 480)),
        ("webp", False, ImageFacts("WEBP", 640, 480)),
        ("webp-lossless", False, ImageFacts("WEBP", 640, 480)),
    ],
)
def test_an_images_format_and_pixels_come_from_its_header(kind, alpha, facts):
    assert image_facts(make_image(640, 480, kind, alpha=alpha).read_bytes()) == facts


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0\x00",
        b"GIF89a" + b"\0" * 40,
        b"RIFF1234WEBPXXXX",
    ],
)
def test_what_is_no_image_of_the_formats_or_cut_short_is_none(data):
    assert image_facts(data) is None


HOSTS = ("127.0.0.1:8123",)


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        ("https://cdn.discordapp.com/attachments/1/2/mia.png?ex=1&is=2&hm=3", "mia.png"),
        ("https://media.discordapp.net/attachments/1/2/walk%20cycle.mp4", "walk cycle.mp4"),
        ("https://cdn.discordapp.com/ephemeral-attachments/1/2/x.webp", "x.webp"),
        ("http://127.0.0.1:8123/attachments/11/22/hero.png?ex=ab", "hero.png"),
        ("http://cdn.discordapp.com/attachments/1/2/mia.png", None),  # not https
        ("https://cdn.discordapp.com.evil.example/attachments/1/2/mia.png", None),
        ("https://example.com/attachments/1/2/mia.png", None),
        ("https://cdn.discordapp.com/avatars/1/2/mia.png", None),
        ("https://cdn.discordapp.com/attachments/one/2/mia.png", None),
        ("https://cdn.discordapp.com/attachments/1/2/", None),
        ("http://127.0.0.1:9999/attachments/11/22/hero.png", None),
        ("not a link", None),
        ("https://[::1/attachments/1/2/x.png", None),
    ],
)
def test_only_discords_own_attachment_links_are_taken(url, filename):
    assert discord_file_link(url, HOSTS) == filename


def offer(filename="mia.png", content_type="image/png", size=40_000, **more) -> AttachmentInput:
    return AttachmentInput(1, filename, content_type, size, "https://cdn.example/x", **more)


def codes(judged) -> list[ProblemCode]:
    assert isinstance(judged, tuple), judged
    return [p.code for p in judged]


def test_discords_word_on_a_file_is_checked_first():
    assert judge_offer(offer()) == "image"
    assert judge_offer(offer("walk.mov", "video/quicktime", 50_000_000)) == "video"
    assert codes(judge_offer(offer("notes.txt", "text/plain"))) == [P.ATTACHMENT_TYPE]
    assert codes(judge_offer(offer(size=11 * 1024 * 1024))) == [P.IMAGE_TOO_HEAVY]
    assert codes(judge_offer(offer(width=100, height=900))) == [P.IMAGE_TOO_SMALL]
    judged = judge_offer(offer(width=100, height=900))
    assert isinstance(judged, tuple)
    [too_small] = judged
    assert "slot" not in too_small.params, "a cast file is named by its name, not a slot"
    link = offered_link("https://cdn.discordapp.com/attachments/1/2/A.JPEG", "A.JPEG")
    assert link.content_type == "image/jpeg" and judge_offer(link) == "image"


def test_an_image_is_judged_by_what_it_holds():
    data = make_image(640, 480).read_bytes()
    assert judge_image(offer("mia.png"), data) == CastFile(
        "image", "PNG", len(data), "mia.png", 640, 480
    )
    # Discord called it a PNG; it is a JPEG: kept as what it is.
    jpeg = make_image(640, 480, "jpg").read_bytes()
    assert judge_image(offer("mia.png"), jpeg) == CastFile(
        "image", "JPEG", len(jpeg), "mia.png", 640, 480
    )

    assert codes(judge_image(offer(), make_image(640, 480, alpha=True).read_bytes())) == [
        P.CAST_IMAGE_TRANSPARENT
    ]
    assert codes(judge_image(offer(), make_image(200, 480).read_bytes())) == [P.IMAGE_TOO_SMALL]
    assert codes(judge_image(offer(), make_image(5008, 240, "jpg").read_bytes())) == [
        P.IMAGE_TOO_LARGE
    ]
    assert codes(judge_image(offer(), b"GIF89a....")) == [P.CAST_FILE_UNREADABLE]


def test_a_clip_is_judged_by_its_length():
    clip = make_mp4(64, 64, 2, "50k")
    judged = judge_clip(offer("walk.mp4", "video/mp4"), probe(clip), clip.stat().st_size)
    assert judged == CastFile("video", "MP4", clip.stat().st_size, "walk.mp4", 64, 64, 2.0)

    short = make_mp4(64, 64, 0.5, "50k")
    assert codes(judge_clip(offer("s.mp4", "video/mp4"), probe(short), 1)) == [P.CLIP_LENGTH]
    long = make_mp4(64, 64, 31, "20k")
    assert codes(judge_clip(offer("l.mov", "video/quicktime"), probe(long), 1)) == [P.CLIP_LENGTH]
    assert codes(judge_clip(offer("x.mp4", "video/mp4"), NotMp4("no"), 1)) == [
        P.CAST_CLIP_UNREADABLE
    ]


def test_kept_names_say_what_the_bytes_are():
    assert kept_filename("ab12", "JPEG") == "ab12.jpg"
    assert kept_filename("ab12", "MOV") == "ab12.mov"
