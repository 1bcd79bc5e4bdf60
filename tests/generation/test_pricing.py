"""Cost estimates from the documented billing rule and the price table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.generation.files import AttachmentInput
from bot.generation.pricing import (
    CNY_LIST_PRICES,
    billed_seconds,
    estimate_cost,
    parse_price_table,
)
from bot.generation.request import CommandInput, Defaults, build_request
from bot.messages.catalog import CHINESE, ENGLISH
from bot.messages.limits import describe_estimate


def request(
    *,
    model: str = "wan2.6-r2v-flash",
    size: str = "1920*1080",
    duration: int = 5,
    audio: bool | None = None,
    videos: int = 0,
):
    attachments = [
        AttachmentInput(1, "a.png", "image/png", 1000, "https://cdn.example/a.png", 800, 600)
    ]
    attachments += [
        AttachmentInput(n + 2, f"v{n}.mp4", "video/mp4", 1000, f"https://cdn.example/v{n}.mp4")
        for n in range(videos)
    ]
    prompt = " ".join(f"character{n}" for n in range(1, len(attachments) + 1))
    command = CommandInput(
        prompt=prompt,
        attachments=tuple(attachments),
        model=model,
        size=size,
        duration=duration,
        audio=audio,
    )
    return build_request(command, Defaults())


@pytest.mark.parametrize(
    ("duration", "videos", "expected"),
    [
        (5, 0, 5),
        (10, 0, 10),
        (5, 1, 10),  # clip length unknown: the cap, so the estimate never undershoots
        (10, 3, 15),  # the cap is for all clips together
    ],
)
def test_billed_seconds(duration, videos, expected):
    req = request(duration=duration, videos=videos)

    assert billed_seconds(req) == expected


@pytest.mark.parametrize(
    ("model", "size", "audio", "duration", "videos", "amount", "upper_bound"),
    [
        ("wan2.6-r2v-flash", "1920*1080", False, 5, 0, "1.25", False),
        ("wan2.6-r2v-flash", "1920*1080", None, 5, 0, "2.5", False),  # flash has audio by default
        ("wan2.6-r2v-flash", "1920*1080", True, 2, 0, "1.0", False),
        ("wan2.6-r2v-flash", "1280*720", True, 10, 0, "3.0", False),
        ("wan2.6-r2v-flash", "960*960", False, 10, 0, "1.5", False),
        ("wan2.6-r2v", "1920*1080", None, 5, 0, "5.0", False),
        ("wan2.6-r2v", "1440*1440", True, 10, 0, "10.0", False),
        ("wan2.6-r2v", "720*1280", None, 5, 1, "6.0", True),  # (5 + 5) × 0.6, at most
        ("wan2.6-r2v-flash", "1080*1920", False, 4, 2, "2.25", True),  # (4 + 5) × 0.25
    ],
)
def test_estimate_from_list_prices(model, size, audio, duration, videos, amount, upper_bound):
    req = request(model=model, size=size, duration=duration, audio=audio, videos=videos)

    estimate = estimate_cost(req, CNY_LIST_PRICES, "CNY")

    assert estimate is not None
    assert estimate.amount == Decimal(amount)
    assert estimate.upper_bound is upper_bound
    assert estimate.currency == "CNY"


def test_describe_says_whether_it_is_an_upper_bound():
    exact = estimate_cost(request(audio=False), CNY_LIST_PRICES, "CNY")
    bound = estimate_cost(request(audio=False, videos=1), CNY_LIST_PRICES, "CNY")

    assert exact is not None and describe_estimate(ENGLISH, exact) == "≈ 1.25 CNY (5 billed s)"
    assert bound is not None
    assert describe_estimate(ENGLISH, bound) == "up to 2.50 CNY (10 billed s)"
    assert describe_estimate(CHINESE, bound) == "最多 2.50 CNY（计费 10 秒）"


def test_no_estimate_without_a_price_for_the_combination():
    table = {("wan2.6-r2v", "720P", True): Decimal("0.6")}

    assert estimate_cost(request(model="wan2.6-r2v", size="1920*1080"), table, "CNY") is None
    assert estimate_cost(request(model="wan2.6-r2v", size="1280*720"), table, "CNY") is not None


def test_parse_price_table():
    table = parse_price_table(
        " wan2.6-r2v:720P:audio=0.6, wan2.6-r2v-flash:1080P:silent = 0.25 ,,"
        "wan2.6-r2v-flash:720P:audio=0"
    )

    assert table == {
        ("wan2.6-r2v", "720P", True): Decimal("0.6"),
        ("wan2.6-r2v-flash", "1080P", False): Decimal("0.25"),
        ("wan2.6-r2v-flash", "720P", True): Decimal("0"),
    }
    assert parse_price_table("") == {}


def test_singapore_usd_prices_parse_and_estimate():
    table = parse_price_table("wan2.6-r2v-flash:1080P:silent=0.0375")

    estimate = estimate_cost(request(audio=False, duration=4), table, "USD")
    assert estimate is not None and estimate.amount == Decimal("0.15")


@pytest.mark.parametrize(
    "text",
    [
        "nonsense",
        "wan2.6-r2v:720P=0.6",
        "wan2.6-r2v:720P:loud=0.6",
        "wan2.5-r2v:720P:audio=0.6",
        "wan2.6-r2v:480P:audio=0.6",
        "wan2.6-r2v:720P:audio=",
        "wan2.6-r2v:720P:audio",
        "wan2.6-r2v:720P:audio=cheap",
        "wan2.6-r2v:720P:audio=-0.1",
        "wan2.6-r2v:720P:audio=NaN",
        "wan2.6-r2v:720P:audio=Infinity",
        "wan2.6-r2v:720P:audio=0.6,broken",
    ],
)
def test_parse_price_table_refuses_bad_entries(text):
    with pytest.raises(ValueError):
        parse_price_table(text)
