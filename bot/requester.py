"""Who asks for a video: the facts of one command that the limits and the task record need."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.records import Origin


@dataclass(frozen=True)
class Requester:
    """Who asked and where (`origin`, kept with the task), with what the limits check: the
    channel and, for a thread, its parent (allowing a channel allows its threads), the member's
    roles, and what the bot's own posts in the channel may attach (the server's boost-tier
    limit)."""

    origin: Origin
    channel_ids: tuple[int, ...] = ()
    role_ids: tuple[int, ...] = ()
    upload_limit: int | None = None

    @property
    def user_id(self) -> int:
        return self.origin.requester_id

    @property
    def guild_id(self) -> int | None:
        return self.origin.guild_id
