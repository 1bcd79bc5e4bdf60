"""What a generation costs and which options apply when a user leaves them out. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.generation.pricing import CNY_LIST_PRICES, PriceTable
from bot.generation.request import Defaults


@dataclass(frozen=True)
class GenerationSettings:
    defaults: Defaults = field(default_factory=Defaults)
    # Shown with every estimate; the prices are per billed second in this currency.
    currency: str = "CNY"
    prices: PriceTable = field(default_factory=lambda: CNY_LIST_PRICES)
    # Whether `/r2v generate` is private when the member does not say.
    private_default: bool = False
