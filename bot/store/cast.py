"""What the store keeps of each server's cast, and what the bot may ask of it (`CastStore`,
implemented beside `TaskStore` by the SQLite and PostgreSQL stores)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from bot.generation.limits import Kind

# The id of a member not stored yet; `add_cast` gives it its own.
NEW_CAST_ID: Final = 0


@dataclass(frozen=True)
class CastFile:
    """The reference file, as checked when it was added."""

    kind: Kind
    file_format: str  # "PNG", "MP4", … as the API's rules name them
    size_bytes: int
    original_filename: str
    width: int | None = None
    height: int | None = None
    clip_seconds: float | None = None  # clips only


@dataclass(frozen=True)
class CastCopy:
    """The bot's own message holding a copy of the file, whose link Discord renews."""

    channel_id: int
    message_id: int
    filename: str
    # The link as last signed: expired after a day, but `POST /attachments/refresh-urls` renews
    # it while the message exists.
    url: str


@dataclass(frozen=True)
class CastMember:
    """One named character of a server: its reference, who added it, where its copies are."""

    id: int
    guild_id: int
    name: str  # as typed; unique per server regardless of case
    reference: CastFile
    added_by: int
    added_at: float
    copy: CastCopy
    # The kept file's name in R2V_CAST_DIR.
    kept_name: str
    description: str | None = None


@dataclass(frozen=True)
class NameTaken:
    """Another member of the server already has that name (compared regardless of case)."""

    name: str


@dataclass(frozen=True)
class CastPage:
    members: list[CastMember]
    total: int  # members of the server in all


class CastStore(Protocol):
    """Each server's cast. Names compare as `bot.generation.cast.name_key` does (case and
    compatibility forms folded); they are kept and shown as typed."""

    async def add_cast(self, member: CastMember) -> CastMember | NameTaken:
        """Store a new member under a new id (`member.id` is ignored) and return it as stored,
        or NameTaken when the server has that name already (nothing is written)."""

    async def cast_member(self, guild_id: int, name: str) -> CastMember | None: ...

    async def cast_by_id(self, cast_id: int) -> CastMember | None: ...

    async def cast_members(self, guild_id: int, names: Sequence[str]) -> list[CastMember]:
        """The server's members of those names, in one round trip (unknown names are left
        out; the order is the store's)."""

    async def cast_page(self, guild_id: int, offset: int, limit: int) -> CastPage:
        """Up to `limit` members from `offset` in name order, and how many there are."""

    async def cast_names(
        self, guild_id: int, prefix: str = "", limit: int | None = None
    ) -> list[str]:
        """The server's names that begin with `prefix` (case ignored), in name order."""

    async def rename_cast(self, cast_id: int, name: str) -> CastMember | NameTaken | None:
        """The member under its new name; NameTaken when another member of its server has
        it; None when there is no such member."""

    async def remove_cast(self, cast_id: int) -> bool:
        """False when there was no such member."""

    async def move_cast_copy(self, cast_id: int, copy: CastCopy) -> bool:
        """Record the member's new copy (the old message was deleted, the file re-uploaded);
        False when there is no such member."""
