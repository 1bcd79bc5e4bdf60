"""Sentences of the result message about the video file itself."""

from __future__ import annotations

VIDEO_AS_LINK = "your video is ready (as a link)."


def _link(url: str, expires_at: int) -> str:
    return f"[Download the video]({url}) — the link expires <t:{expires_at}:R>."


def could_not_fetch(url: str, expires_at: int) -> str:
    return f"The bot could not fetch the file, but it may still open: {_link(url, expires_at)}"


def over_upload_limit(url: str, expires_at: int, size: int | None, limit: int) -> str:
    shown = f"{size / 1024 / 1024:.1f} MB" if size else "too large"
    return (
        f"The video ({shown}) is over this server's upload limit of {limit / 1024 / 1024:.0f} MB, "
        f"so it is not attached. {_link(url, expires_at)}"
    )
