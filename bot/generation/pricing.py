"""Estimated cost of a request from the documented billing rule and a configurable price table."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from bot.generation import limits
from bot.generation.request import GenerationRequest

# (model, tier, has_audio) -> price per billed second. Beijing list prices in CNY.
PriceTable = Mapping[tuple[str, str, bool], Decimal]

CNY_LIST_PRICES: PriceTable = MappingProxyType(
    {
        (limits.FULL_MODEL, "720P", True): Decimal("0.6"),
        (limits.FULL_MODEL, "1080P", True): Decimal("1.0"),
        (limits.FLASH_MODEL, "720P", True): Decimal("0.3"),
        (limits.FLASH_MODEL, "1080P", True): Decimal("0.5"),
        (limits.FLASH_MODEL, "720P", False): Decimal("0.15"),
        (limits.FLASH_MODEL, "1080P", False): Decimal("0.25"),
    }
)


@dataclass(frozen=True)
class CostEstimate:
    """Billed seconds and price; `upper_bound` when clip lengths are unknown and assumed maximal.
    In words: `bot.messages.limits.describe_estimate`."""

    billed_seconds: int
    amount: Decimal
    currency: str
    upper_bound: bool


@dataclass(frozen=True)
class ActualCost:
    """What the service billed for a finished task, priced like its estimate."""

    billed_seconds: int
    amount: Decimal


def billed_seconds(request: GenerationRequest) -> int:
    """Output seconds plus reference-clip seconds capped at 5. Clip lengths are not in Discord's
    attachment metadata, so any clip counts as the cap: the estimate never undershoots."""
    if request.video_count == 0:
        return request.duration
    return request.duration + limits.BILLED_REFERENCE_VIDEO_CAP_S


def estimate_cost(
    request: GenerationRequest, prices: PriceTable, currency: str
) -> CostEstimate | None:
    """The estimate, or None when the price table has no entry for this combination."""
    price = prices.get((request.model, limits.size_tier(request.size), request.has_audio))
    if price is None:
        return None
    seconds = billed_seconds(request)
    return CostEstimate(
        billed_seconds=seconds,
        amount=price * seconds,
        currency=currency,
        upper_bound=request.video_count > 0,
    )


def parse_price_table(text: str) -> dict[tuple[str, str, bool], Decimal]:
    """Parse `model:tier:audio|silent=price` entries separated by commas, e.g.
    `wan2.6-r2v:720P:audio=0.6,wan2.6-r2v-flash:1080P:silent=0.25`. Raises ValueError."""
    table: dict[tuple[str, str, bool], Decimal] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = entry.partition("=")
        fields = key.strip().split(":")
        if len(fields) != 3 or fields[2] not in ("audio", "silent"):
            raise ValueError(f"{entry!r} is not model:tier:audio|silent=price")
        model, tier, sound = fields
        if model not in limits.MODELS or tier not in ("720P", "1080P"):
            raise ValueError(f"{entry!r} names an unknown model or tier")
        try:
            price = Decimal(value.strip())
        except ArithmeticError as error:
            raise ValueError(f"{entry!r} has no valid price") from error
        if not price.is_finite():
            raise ValueError(f"{entry!r} has no valid price")
        if price < 0:
            raise ValueError(f"{entry!r} has a negative price")
        table[(model, tier, sound == "audio")] = price
    return table


def actual_cost(estimate: CostEstimate, billed_s: float) -> ActualCost:
    """The real cost once the service reports the billed seconds: the estimate's price per
    second (it depends only on model, tier and sound, which do not change) times those seconds."""
    seconds = math.ceil(billed_s)
    if estimate.billed_seconds <= 0:
        return ActualCost(seconds, estimate.amount)
    per_second = estimate.amount / estimate.billed_seconds
    return ActualCost(seconds, (per_second * Decimal(str(billed_s))).quantize(Decimal("0.0001")))
