"""TaskRecord <-> table row, in one place for every backend.

`TASK_COLUMNS` names each field of `TaskRecord`, its column, the kind of value stored and how the
field becomes a plain value (and back). A backend differs only in how it stores a kind (SQLite
keeps money as text; PostgreSQL as NUMERIC): that is its `Adapters`. Adding a field to
`TaskRecord` means: the dataclass, one row here, one migration per backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Protocol

from bot.api.models import TaskStatus
from bot.generation.request import GenerationRequest
from bot.store.records import Ending, Phase, TaskRecord


class Kind(Enum):
    """What a column holds, as far as a database driver cares."""

    TEXT = "text"
    INTEGER = "integer"
    REAL = "real"
    JSON = "json"
    MONEY = "money"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    """One field of TaskRecord as one column. `to_plain`/`from_plain` turn the field's value
    into a plain Python value of the column's kind (str, int, float, dict, Decimal) and back;
    None passes through untouched. Immutable columns are written once, by `add`."""

    field: str
    name: str
    kind: Kind
    mutable: bool = True
    to_plain: Callable[[Any], Any] = _same
    from_plain: Callable[[Any], Any] = _same


def _value(enum_member: Enum) -> Any:
    return enum_member.value


TASK_COLUMNS: Final[tuple[Column, ...]] = (
    Column("task_id", "task_id", Kind.TEXT, mutable=False),
    Column("requester_id", "requester_id", Kind.INTEGER, mutable=False),
    Column("guild_id", "guild_id", Kind.INTEGER, mutable=False),
    Column("channel_id", "channel_id", Kind.INTEGER, mutable=False),
    Column(
        "request",
        "request_json",
        Kind.JSON,
        mutable=False,
        to_plain=GenerationRequest.to_record,
        from_plain=GenerationRequest.from_record,
    ),
    Column("created_at", "created_at", Kind.REAL, mutable=False),
    Column("deadline_at", "deadline_at", Kind.REAL),
    Column("status", "status", Kind.TEXT, to_plain=_value, from_plain=TaskStatus),
    Column("raw_status", "raw_status", Kind.TEXT),
    Column("phase", "phase", Kind.TEXT, to_plain=_value, from_plain=Phase),
    Column("status_message_id", "status_message_id", Kind.INTEGER),
    Column("submit_request_id", "submit_request_id", Kind.TEXT, mutable=False),
    Column("upload_limit", "upload_limit", Kind.INTEGER),
    Column("billed_seconds", "billed_seconds", Kind.INTEGER),
    Column("cost_text", "cost_text", Kind.TEXT),
    Column("api_times", "api_times_json", Kind.JSON, to_plain=dict, from_plain=dict),
    Column("video_url", "video_url", Kind.TEXT),
    Column("error_code", "error_code", Kind.TEXT),
    Column("error_message", "error_message", Kind.TEXT),
    Column("result_message_id", "result_message_id", Kind.INTEGER),
    Column("finished_at", "finished_at", Kind.REAL),
    Column("updated_at", "updated_at", Kind.REAL),
    Column("parent_task_id", "parent_task_id", Kind.TEXT, mutable=False),
    Column("cost_amount", "cost_amount", Kind.MONEY),
    Column("ending", "ending", Kind.TEXT, to_plain=_value, from_plain=Ending),
    Column("locale", "locale", Kind.TEXT, mutable=False),
    Column("interaction_upload_limit", "interaction_upload_limit", Kind.INTEGER, mutable=False),
    Column("delivery_attempts", "delivery_attempts", Kind.INTEGER),
    Column("next_delivery_at", "next_delivery_at", Kind.REAL),
    Column("delivery_attempt_at", "delivery_attempt_at", Kind.REAL),
    Column("delivery_nonce", "delivery_nonce", Kind.TEXT),
    Column("private", "private", Kind.INTEGER, mutable=False, to_plain=int, from_plain=bool),
    Column("parent_result_url", "parent_result_url", Kind.TEXT, mutable=False),
    Column("estimated_amount", "estimated_amount", Kind.MONEY),
)

KEY: Final = TASK_COLUMNS[0]
assert KEY.name == "task_id" and not KEY.mutable


@dataclass(frozen=True)
class Adapter:
    """How one backend stores a plain value of one kind."""

    to_db: Callable[[Any], Any] = _same
    from_db: Callable[[Any], Any] = _same


Adapters = Mapping[Kind, Adapter]

_PLAIN = Adapter()
_JSON_TEXT = Adapter(to_db=json.dumps, from_db=json.loads)

# SQLite has no decimal type: money is kept as its exact decimal text.
SQLITE_ADAPTERS: Final[Adapters] = {
    Kind.TEXT: _PLAIN,
    Kind.INTEGER: _PLAIN,
    Kind.REAL: _PLAIN,
    Kind.JSON: _JSON_TEXT,
    Kind.MONEY: Adapter(to_db=str, from_db=Decimal),
}

# asyncpg passes JSONB as text and NUMERIC as Decimal.
POSTGRES_ADAPTERS: Final[Adapters] = {
    Kind.TEXT: _PLAIN,
    Kind.INTEGER: _PLAIN,
    Kind.REAL: _PLAIN,
    Kind.JSON: _JSON_TEXT,
    Kind.MONEY: _PLAIN,
}


class Row(Protocol):
    """A fetched row by column name (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: str, /) -> Any: ...


Placeholder = Callable[[int], str]  # 1-based parameter number -> "?" or "$n"


def question_mark(_number: int) -> str:
    return "?"


def dollar(number: int) -> str:
    return f"${number}"


class RowCodec:
    """Writes and reads TaskRecords for one backend, and the SQL that goes with them."""

    def __init__(self, adapters: Adapters, placeholder: Placeholder) -> None:
        self._adapters = adapters
        self._placeholder = placeholder
        self.columns: tuple[str, ...] = tuple(column.name for column in TASK_COLUMNS)
        self._mutable = tuple(column for column in TASK_COLUMNS if column.mutable)
        self.select_list = ", ".join(self.columns)

    def insert_sql(self, table: str = "tasks", extra: Sequence[str] = ()) -> str:
        """INSERT of every column, then the `extra` columns (values follow the record's)."""
        names = (*self.columns, *extra)
        values = ", ".join(self._placeholder(n) for n in range(1, len(names) + 1))
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({values})"

    def insert_values(self, record: TaskRecord) -> list[Any]:
        return [self._to_db(column, getattr(record, column.field)) for column in TASK_COLUMNS]

    def save_sql(self, table: str = "tasks", fenced_by: str | None = None) -> str:
        """UPDATE of every mutable column of one task; with `fenced_by`, only while that column
        still holds the value after the key."""
        assignments = ", ".join(
            f"{column.name} = {self._placeholder(n)}" for n, column in enumerate(self._mutable, 1)
        )
        key_number = len(self._mutable) + 1
        where = f"{KEY.name} = {self._placeholder(key_number)}"
        if fenced_by:
            where += f" AND {fenced_by} = {self._placeholder(key_number + 1)}"
        return f"UPDATE {table} SET {assignments} WHERE {where}"

    def save_values(self, record: TaskRecord) -> list[Any]:
        """The mutable columns' values, then the key."""
        values = [self._to_db(column, getattr(record, column.field)) for column in self._mutable]
        return [*values, record.task_id]

    def from_row(self, row: Row) -> TaskRecord:
        fields = {column.field: self._from_db(column, row[column.name]) for column in TASK_COLUMNS}
        return TaskRecord(**fields)

    def money(self, stored: Any) -> Decimal:
        """A stored money value (None counts as nothing)."""
        if stored is None:
            return Decimal(0)
        return Decimal(self._adapters[Kind.MONEY].from_db(stored))

    def _to_db(self, column: Column, value: Any) -> Any:
        if value is None:
            return None
        return self._adapters[column.kind].to_db(column.to_plain(value))

    def _from_db(self, column: Column, stored: Any) -> Any:
        if stored is None:
            return None
        return column.from_plain(self._adapters[column.kind].from_db(stored))
