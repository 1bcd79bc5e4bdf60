"""Sentences about submissions the store could not record. Pure.

`store_unavailable` answers a command when the store cannot even hold the submission's place
before paying. `unrecorded_later` is what a later start tells a member whose submission may
have been paid and was never recorded (`bot.store.types.OpenIntent`): in the channel, mentioning
them, or by DM; what they had asked for is shown only where `with_request` says it may be (not
in the channel for a private request).
"""

from __future__ import annotations

from bot.generation.text import inline_code
from bot.messages.catalog import text
from bot.store.types import OpenIntent

# How much of the prompt the notice shows.
PROMPT_SHOWN = 80


def store_unavailable(locale: str | None) -> str:
    return text(locale, "store-unavailable")


def unrecorded_later(open_intent: OpenIntent, *, mention: bool, with_request: bool) -> str:
    """The notice, in the member's language, dated in each reader's own time zone."""
    intent = open_intent.intent
    notice = text(
        intent.locale,
        "unrecorded-later",
        mention=f"<@{open_intent.user_id}>" if mention else "",
        when=f"<t:{int(open_intent.at)}:f>",
        task_id=open_intent.task_id or "none",
    )
    notice = notice.replace("⚠️  ", "⚠️ ")  # no mention: no double space
    if not with_request:
        return notice
    request = text(
        intent.locale,
        "unrecorded-later-request",
        model=intent.model,
        duration=intent.duration,
        prompt=inline_code(intent.prompt_start, PROMPT_SHOWN),
    )
    return f"{notice}\n{request}"
