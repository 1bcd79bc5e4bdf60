"""Where the cast's files are kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CastSettings:
    """Filled by the config loader from R2V_CAST_DIR."""

    # Beside the video folder, and never pruned with it: a cast member's file stays until the
    # member is removed.
    cast_dir: Path = Path("data/cast")
    # Hosts whose attachment links count as Discord's own besides Discord's CDN (a local
    # Discord in tests and demos: the host of DISCORD_API_BASE).
    extra_cdn_hosts: tuple[str, ...] = ()
