"""TaskRecord <-> table row, in one place for every backend.

`TASK_COLUMNS` names each field of `TaskRecord` (and of its parts, `origin` and `lineage`), its
column, the kind of value stored and how the field becomes a plain value (and back); the cost
(`estimate`, `actual`) has columns of its own, `COST_COLUMNS`. A backend differs only in how it
stores a kind (SQLite keeps money as text; PostgreSQL as NUMERIC): that is its `Adapters`.
Adding a field to `TaskRecord` means: the dataclass, one row here, one migration per backend.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Protocol

from bot.api.models import TaskStatus
from bot.generation.pricing import ActualCost, CostEstimate
from bot.generation.request import GenerationRequest
from bot.store.records import Derivation, Ending, Lineage, Origin, Phase, TaskRecord


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
    """One field of TaskRecord as one column; `field` is dotted for a field of a part (the
    `origin.requester_id` of `TaskRecord.origin`). `to_plain`/`from_plain` turn the field's value
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
    Column("origin.requester_id", "requester_id", Kind.INTEGER, mutable=False),
    Column("origin.guild_id", "guild_id", Kind.INTEGER, mutable=False),
    Column("origin.channel_id", "channel_id", Kind.INTEGER, mutable=False),
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
    Column("api_times", "api_times_json", Kind.JSON, to_plain=dict, from_plain=dict),
    Column("video_url", "video_url", Kind.TEXT),
    Column("error_code", "error_code", Kind.TEXT),
    Column("error_message", "error_message", Kind.TEXT),
    Column("result_message_id", "result_message_id", Kind.INTEGER),
    Column("finished_at", "finished_at", Kind.REAL),
    Column("updated_at", "updated_at", Kind.REAL),
    Column("lineage.parent_task_id", "parent_task_id", Kind.TEXT, mutable=False),
    Column("ending", "ending", Kind.TEXT, to_plain=_value, from_plain=Ending),
    Column("origin.locale", "locale", Kind.TEXT, mutable=False),
    Column(
        "origin.interaction_upload_limit", "interaction_upload_limit", Kind.INTEGER, mutable=False
    ),
    Column("delivery_attempts", "delivery_attempts", Kind.INTEGER),
    Column("next_delivery_at", "next_delivery_at", Kind.REAL),
    Column("delivery_attempt_at", "delivery_attempt_at", Kind.REAL),
    Column("delivery_nonce", "delivery_nonce", Kind.TEXT),
    Column("private", "private", Kind.INTEGER, mutable=False, to_plain=int, from_plain=bool),
    Column("lineage.parent_result_url", "parent_result_url", Kind.TEXT, mutable=False),
    Column(
        "lineage.kind",
        "lineage_kind",
        Kind.TEXT,
        mutable=False,
        to_plain=_value,
        from_plain=Derivation,
    ),
    Column("cancelled_by", "cancelled_by", Kind.INTEGER),
)

# The parts of a record kept in several columns, and whether the part may be absent (None when
# every one of its columns is NULL).
PARTS: Final[Mapping[str, tuple[type, bool]]] = {
    "origin": (Origin, False),
    "lineage": (Lineage, True),
}

KEY: Final = TASK_COLUMNS[0]
assert KEY.name == "task_id" and not KEY.mutable

# The cost's columns, written from `TaskRecord.estimate` and `.actual` by `cost_columns` and read
# back by `cost_of`. `billed_seconds` and `cost_amount` hold what budgets count (the actual cost
# once known, else the estimate), which the spend queries sum; `estimated_amount` holds the
# estimate once the actual cost replaced it there. Processes of older versions read and write
# those three the same way; the others say what the estimate was.
COST_COLUMNS: Final[Mapping[str, Kind]] = {
    "billed_seconds": Kind.INTEGER,
    "cost_amount": Kind.MONEY,
    "estimated_amount": Kind.MONEY,
    "currency": Kind.TEXT,
    "estimate_seconds": Kind.INTEGER,
    "estimate_upper_bound": Kind.INTEGER,
}
# Read only: the estimate in words, as versions before 0.2 stored it (see `legacy_estimate`).
LEGACY_COST_TEXT: Final = "cost_text"


def cost_columns(estimate: CostEstimate | None, actual: ActualCost | None) -> dict[str, Any]:
    """The plain values of `COST_COLUMNS` for a record's cost."""
    if estimate is None:
        return dict.fromkeys(COST_COLUMNS)
    counted = actual or ActualCost(estimate.billed_seconds, estimate.amount)
    return {
        "billed_seconds": counted.billed_seconds,
        "cost_amount": counted.amount,
        "estimated_amount": estimate.amount if actual is not None else None,
        "currency": estimate.currency,
        "estimate_seconds": estimate.billed_seconds,
        "estimate_upper_bound": int(estimate.upper_bound),
    }


def cost_of(
    plain: Mapping[str, Any], cost_text: str | None
) -> tuple[CostEstimate | None, ActualCost | None]:
    """A record's estimate and actual cost from the plain values of `COST_COLUMNS`. A row whose
    currency is missing was written by a version before 0.2: its estimate is read back from
    `cost_text` (the migration fills old rows once; an older process still running during an
    upgrade may write more)."""
    counted_amount = plain["cost_amount"]
    if counted_amount is None:
        return None, None
    counted_seconds = plain["billed_seconds"] or 0
    actual_known = plain["estimated_amount"] is not None
    estimated_amount = plain["estimated_amount"] if actual_known else counted_amount
    actual = ActualCost(counted_seconds, counted_amount) if actual_known else None
    if plain["currency"] is not None:
        seconds = plain["estimate_seconds"]
        estimate = CostEstimate(
            billed_seconds=counted_seconds if seconds is None else seconds,
            amount=estimated_amount,
            currency=plain["currency"],
            upper_bound=bool(plain["estimate_upper_bound"]),
        )
        return estimate, actual
    return legacy_estimate(cost_text, estimated_amount, counted_seconds), actual


def legacy_estimate(cost_text: str | None, amount: Decimal, counted_seconds: int) -> CostEstimate:
    """The estimate of a row written before 0.2, from the sentence it kept: `≈ 1.25 CNY (5 billed
    s)`, `up to 7.80 CNY (13 billed s)`, `最多 7.80 CNY（计费 13 秒）`. What the sentence does not
    say falls back to the counted seconds and no currency."""
    found = _LEGACY_ESTIMATE.match(cost_text or "")
    if found is None:
        return CostEstimate(counted_seconds, amount, "", upper_bound=False)
    seconds = int(found["seconds"]) if found["seconds"] else counted_seconds
    return CostEstimate(seconds, amount, found["currency"], upper_bound=found["prefix"] != "≈")


_LEGACY_ESTIMATE: Final = re.compile(
    r"\s*(?P<prefix>≈|up to|最多)\s*[\d.,]+\s+(?P<currency>[^\s(（]+)"
    r"(?:\s*[(（]\D*(?P<seconds>\d+))?"
)


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
        self._mutable = tuple(column for column in TASK_COLUMNS if column.mutable)
        # Written: every column, the cost's last. Read: those and the legacy estimate.
        self.columns: tuple[str, ...] = (*(c.name for c in TASK_COLUMNS), *COST_COLUMNS)
        self._mutable_names = (*(c.name for c in self._mutable), *COST_COLUMNS)
        self.select_list = ", ".join((*self.columns, LEGACY_COST_TEXT))

    def insert_sql(self, table: str = "tasks", extra: Sequence[str] = ()) -> str:
        """INSERT of every column, then the `extra` columns (values follow the record's)."""
        names = (*self.columns, *extra)
        values = ", ".join(self._placeholder(n) for n in range(1, len(names) + 1))
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({values})"

    def insert_values(self, record: TaskRecord) -> list[Any]:
        values = [self._to_db(column, _get(record, column.field)) for column in TASK_COLUMNS]
        return [*values, *self._cost_values(record)]

    def save_sql(self, table: str = "tasks", fenced_by: str | None = None) -> str:
        """UPDATE of every mutable column of one task; with `fenced_by`, only while that column
        still holds the value after the key."""
        assignments = ", ".join(
            f"{name} = {self._placeholder(n)}" for n, name in enumerate(self._mutable_names, 1)
        )
        key_number = len(self._mutable_names) + 1
        where = f"{KEY.name} = {self._placeholder(key_number)}"
        if fenced_by:
            where += f" AND {fenced_by} = {self._placeholder(key_number + 1)}"
        return f"UPDATE {table} SET {assignments} WHERE {where}"

    def save_values(self, record: TaskRecord) -> list[Any]:
        """The mutable columns' values, then the key."""
        values = [self._to_db(column, _get(record, column.field)) for column in self._mutable]
        return [*values, *self._cost_values(record), record.task_id]

    def from_row(self, row: Row) -> TaskRecord:
        fields: dict[str, Any] = {}
        parts: dict[str, dict[str, Any]] = {part: {} for part in PARTS}
        for column in TASK_COLUMNS:
            value = self._from_db(column, row[column.name])
            part, dot, name = column.field.partition(".")
            if dot:
                parts[part][name] = value
            else:
                fields[column.field] = value
        for part, values in parts.items():
            cls, optional = PARTS[part]
            absent = optional and all(value is None for value in values.values())
            fields[part] = None if absent else cls(**values)
        plain = {name: self._plain_from_db(kind, row[name]) for name, kind in COST_COLUMNS.items()}
        fields["estimate"], fields["actual"] = cost_of(plain, row[LEGACY_COST_TEXT])
        return TaskRecord(**fields)

    def money(self, stored: Any) -> Decimal:
        """A stored money value (None counts as nothing)."""
        if stored is None:
            return Decimal(0)
        return Decimal(self._adapters[Kind.MONEY].from_db(stored))

    def _cost_values(self, record: TaskRecord) -> list[Any]:
        plain = cost_columns(record.estimate, record.actual)
        return [self._plain_to_db(kind, plain[name]) for name, kind in COST_COLUMNS.items()]

    def _to_db(self, column: Column, value: Any) -> Any:
        if value is None:
            return None
        return self._plain_to_db(column.kind, column.to_plain(value))

    def _from_db(self, column: Column, stored: Any) -> Any:
        plain = self._plain_from_db(column.kind, stored)
        return None if plain is None else column.from_plain(plain)

    def _plain_to_db(self, kind: Kind, plain: Any) -> Any:
        return None if plain is None else self._adapters[kind].to_db(plain)

    def _plain_from_db(self, kind: Kind, stored: Any) -> Any:
        return None if stored is None else self._adapters[kind].from_db(stored)


def _get(record: TaskRecord, path: str) -> Any:
    """A field of the record, or of one of its parts (None when the part is absent)."""
    value: Any = record
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name)
    return value
