"""A server's cast as the prompt sees it: names, and how a prompt that calls characters by
their names becomes the request the API wants. Pure."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """What makes two cast names the same name: case and compatibility forms folded (`Mia`,
    `MIA` and `ｍｉａ` are one name), surrounding and repeated spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
