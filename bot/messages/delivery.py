"""Sentences about delivering the video file itself: re-encoded to fit, too large, retrying,
and where to fetch a result that could not be posted."""

from __future__ import annotations

MIB = 1024 * 1024

VIDEO_AS_LINK = "your video is ready (as a link)."
NO_KEPT_VIDEO = (
    "The bot no longer keeps this task's video (finished videos are kept for a limited time), "
    "or it never fetched one."
)


def _mb(size: int) -> str:
    return f"{size / MIB:.1f} MB"


def _link(url: str, expires_at: int) -> str:
    return f"[Download the video]({url}) — the link expires <t:{expires_at}:R>."


def over_upload_limit(url: str | None, expires_at: int, size: int | None, limit: int) -> str:
    shown = _mb(size) if size else "too large"
    text = (
        f"The video ({shown}) is over this server's upload limit of {limit / MIB:.0f} MB and "
        "could not be made to fit, so it is not attached."
    )
    return f"{text} {_link(url, expires_at)}" if url else text


def reencoded_to_fit(
    url: str | None, expires_at: int, original: int, fitted: int, limit: int, *, scaled: bool
) -> str:
    how = "re-encoded at a smaller size" if scaled else "re-encoded"
    text = (
        f"The video was {how} to fit this server's upload limit of {limit / MIB:.0f} MB "
        f"({_mb(original)} → {_mb(fitted)})."
    )
    if not url:
        return text
    return f"{text} The original: [download]({url}) — the link expires <t:{expires_at}:R>."


def being_delivered(task_id: str) -> str:
    return (
        f"🎬 The video of task `{task_id}` is ready and being delivered; the bot keeps trying "
        "until it is posted."
    )


def fetch_it_with_status(task_id: str) -> str:
    return (
        f"⚠️ The bot could not post the result of task `{task_id}` here or in a direct message. "
        f"Fetch it with `/r2v status task_id:{task_id} video:True`."
    )


SENT_BY_DM = "(The bot can no longer post in the channel you asked in, so this comes by DM.)"
