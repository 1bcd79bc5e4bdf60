"""Sentences about delivering the video file itself: re-encoded to fit, too large, retrying,
and where to fetch a result that could not be posted."""

from __future__ import annotations

from bot.generation.text import link_target, megabytes
from bot.messages.catalog import text

MIB = 1024 * 1024


def _limit(limit: int) -> str:
    return f"{limit / MIB:.0f}"


def video_as_link(locale: str | None) -> str:
    return text(locale, "video-as-link")


def _link(locale: str | None, url: str, expires_at: int) -> str:
    return text(locale, "download-link", url=link_target(url), expires_at=expires_at)


def over_upload_limit(
    locale: str | None, url: str | None, expires_at: int, size: int | None, limit: int
) -> str:
    shown = megabytes(size) if size else text(locale, "size-too-large")
    said = text(locale, "over-upload-limit", shown=shown, limit=_limit(limit))
    return f"{said} {_link(locale, url, expires_at)}" if url else said


def not_stored(locale: str | None, url: str | None, expires_at: int) -> str:
    """The bot's own disk could not hold the video to attach it."""
    said = text(locale, "not-stored")
    return f"{said} {_link(locale, url, expires_at)}" if url else said


def reencoded_to_fit(
    locale: str | None,
    url: str | None,
    expires_at: int,
    original: int,
    fitted: int,
    limit: int,
    *,
    scaled: bool,
) -> str:
    key = "reencoded-smaller-to-fit" if scaled else "reencoded-to-fit"
    said = text(
        locale, key, limit=_limit(limit), original=megabytes(original), fitted=megabytes(fitted)
    )
    if not url:
        return said
    link = text(locale, "original-link", url=link_target(url), expires_at=expires_at)
    return f"{said} {link}"


def being_delivered(locale: str | None, task_id: str) -> str:
    return text(locale, "being-delivered", task_id=task_id)


def fetch_it_with_status(locale: str | None, task_id: str) -> str:
    return text(locale, "fetch-it-with-status", task_id=task_id)


def sent_by_dm(locale: str | None) -> str:
    return text(locale, "sent-by-dm")


def no_kept_video(locale: str | None) -> str:
    return text(locale, "no-kept-video")
