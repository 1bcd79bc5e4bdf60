"""Cast members to table rows and back, the same for both databases (`cast_members`)."""

from __future__ import annotations

from typing import Any, Final, Protocol, cast

from bot.generation.cast import name_key
from bot.generation.limits import Kind
from bot.store.cast import CastCopy, CastFile, CastMember

# Every column but the id, in the order `values` gives them.
COLUMNS: Final = (
    "guild_id",
    "name",
    "name_key",
    "kind",
    "file_format",
    "size_bytes",
    "original_filename",
    "width",
    "height",
    "clip_seconds",
    "added_by",
    "added_at",
    "copy_channel_id",
    "copy_message_id",
    "copy_filename",
    "copy_url",
    "kept_name",
    "description",
)
SELECT_LIST: Final = ", ".join(("id", *COLUMNS))


class Row(Protocol):
    """A row of either driver (sqlite3.Row, asyncpg.Record), read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


def values(member: CastMember) -> list[Any]:
    reference, copy = member.reference, member.copy
    return [
        member.guild_id,
        member.name,
        name_key(member.name),
        reference.kind,
        reference.file_format,
        reference.size_bytes,
        reference.original_filename,
        reference.width,
        reference.height,
        reference.clip_seconds,
        member.added_by,
        member.added_at,
        copy.channel_id,
        copy.message_id,
        copy.filename,
        copy.url,
        member.kept_name,
        member.description,
    ]


def from_row(row: Row) -> CastMember:
    return CastMember(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        reference=CastFile(
            kind=cast(Kind, row["kind"]),
            file_format=row["file_format"],
            size_bytes=row["size_bytes"],
            original_filename=row["original_filename"],
            width=row["width"],
            height=row["height"],
            clip_seconds=row["clip_seconds"],
        ),
        added_by=row["added_by"],
        added_at=row["added_at"],
        copy=CastCopy(
            channel_id=row["copy_channel_id"],
            message_id=row["copy_message_id"],
            filename=row["copy_filename"],
            url=row["copy_url"],
        ),
        kept_name=row["kept_name"],
        description=row["description"],
    )
