"""Sentences of the result message about the video file itself."""

from __future__ import annotations

from bot.messages.catalog import text


def video_as_link(locale: str | None) -> str:
    return text(locale, "video-as-link")


def _link(locale: str | None, url: str, expires_at: int) -> str:
    return text(locale, "download-link", url=url, expires_at=expires_at)


def could_not_fetch(locale: str | None, url: str, expires_at: int) -> str:
    return text(locale, "could-not-fetch", link=_link(locale, url, expires_at))


def over_upload_limit(
    locale: str | None, url: str, expires_at: int, size: int | None, limit: int
) -> str:
    shown = f"{size / 1024 / 1024:.1f} MB" if size else text(locale, "size-too-large")
    return text(
        locale,
        "over-upload-limit",
        shown=shown,
        limit=f"{limit / 1024 / 1024:.0f}",
        link=_link(locale, url, expires_at),
    )
