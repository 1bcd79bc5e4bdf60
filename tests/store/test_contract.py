"""What every task store does, run against SQLite and PostgreSQL alike: what is written comes
back, field for field, and spending is counted the same way."""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import fields, replace
from decimal import Decimal

import asyncpg
import pytest

from bot.api.models import TaskStatus
from bot.generation.pricing import ActualCost, CostEstimate
from bot.generation.request import CommandInput, Defaults, build_request
from bot.store import postgres_schema, sqlite_schema
from bot.store.codec import COST_COLUMNS, LEGACY_COST_TEXT, PARTS, TASK_COLUMNS
from bot.store.protocol import DuplicateTaskError, TaskStore
from bot.store.records import Derivation, Ending, Lineage, Origin, Phase, TaskRecord
from bot.store.types import Spend, Usage
from tests.common import stored
from tests.store.conftest import Backend

REQUEST = build_request(
    CommandInput(
        prompt="character1 meets character2",
        links="https://example.com/a.png https://example.com/b.mov",
        model="wan2.6-r2v",
        size="1280*720",
        duration=8,
        shot_type="multi",
        seed=99,
        negative_prompt="fog",
    ),
    Defaults(),
)


ORIGIN_FIELDS = frozenset(f.name for f in fields(Origin))


def record(task_id: str = "task-1", **changes) -> TaskRecord:
    """A task of member 42 in guild 7; `changes` may name fields of its origin too."""
    origin = Origin(requester_id=42, guild_id=7, channel_id=8)
    origin_changes = {name: changes.pop(name) for name in ORIGIN_FIELDS & changes.keys()}
    base = TaskRecord(
        task_id=task_id,
        origin=replace(origin, **origin_changes),
        request=REQUEST,
        created_at=1000.0,
        deadline_at=2800.0,
    )
    return replace(base, **changes)


def value(task: TaskRecord, path: str) -> object:
    """A field of the record, or of its part (`origin.guild_id`)."""
    found: object = task
    for name in path.split("."):
        found = getattr(found, name, None)
    return found


# Every field set, none to its default; Discord snowflakes need 64 bits.
FULL = record(
    "task-full",
    requester_id=1_234_567_890_123_456_789,
    guild_id=987_654_321_987_654_321,
    channel_id=555_555_555_555_555_555,
    status=TaskStatus.SUCCEEDED,
    raw_status="SUCCEEDED",
    phase=Phase.DELIVERING,
    status_message_id=1_111_111_111_111_111_111,
    submit_request_id="req-abc",
    upload_limit=500 * 1024 * 1024,
    estimate=CostEstimate(13, Decimal("9.00"), "CNY", upper_bound=True),
    actual=ActualCost(12, Decimal("7.80")),
    api_times={"queued_s": 1.5, "running_s": 200.25},
    video_url="https://oss.example/v.mp4?Signature=a%2Bb",
    error_code="none-really",
    error_message="ünïcödé message",
    result_message_id=2_222_222_222_222_222_222,
    finished_at=1300.5,
    updated_at=1301.0,
    lineage=Lineage("task-parent", "https://discord.com/channels/1/2/3", Derivation.CONTINUE),
    ending=Ending.SUCCEEDED,
    locale="zh-CN",
    interaction_upload_limit=50 * 1024 * 1024,
    delivery_attempts=3,
    next_delivery_at=1400.25,
    delivery_attempt_at=1350.75,
    delivery_nonce="a1b2c3d4e5f6a1b2c3d4e5f6",
    private=True,
    cancelled_by=1_234_567_890_123_456_789,
)

IMMUTABLE = {column.field for column in TASK_COLUMNS if not column.mutable}
MIGRATIONS = {"sqlite": sqlite_schema.MIGRATIONS, "postgres": postgres_schema.MIGRATIONS}


def test_every_record_field_has_exactly_one_column():
    # The cost (estimate, actual) has columns of its own; a part's fields each have one.
    leaves = []
    for field in fields(TaskRecord):
        if field.name in PARTS:
            leaves += [f"{field.name}.{f.name}" for f in fields(PARTS[field.name][0])]
        elif field.name not in ("estimate", "actual"):
            leaves.append(field.name)
    assert sorted(column.field for column in TASK_COLUMNS) == sorted(leaves)
    names = [column.name for column in TASK_COLUMNS] + list(COST_COLUMNS)
    assert len(set(names)) == len(names)


def test_full_differs_from_the_defaults_in_every_field():
    defaults = record()
    same = [
        f.name for f in fields(TaskRecord) if getattr(FULL, f.name) == getattr(defaults, f.name)
    ]
    assert same == ["request", "created_at", "deadline_at"]


async def stored_columns(backend: Backend) -> set[str]:
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            return {row[1] for row in db.execute("PRAGMA table_info(tasks)")}
    conn = await asyncpg.connect(backend.location)
    try:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'tasks'"
        )
    finally:
        await conn.close()
    return {row["column_name"] for row in rows}


async def schema_version(backend: Backend) -> int:
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            version: int = db.execute("PRAGMA user_version").fetchone()[0]
            return version
    conn = await asyncpg.connect(backend.location)
    try:
        version = await conn.fetchval("SELECT max(version) FROM schema_version")
        return version
    finally:
        await conn.close()


async def test_an_empty_database_is_migrated_to_the_codec_columns(backend: Backend, caplog):
    caplog.set_level(logging.INFO, logger="bot.store")
    store = await backend.open()
    await store.close()

    said = [r.getMessage() for r in caplog.records if r.name.startswith("bot.store")]
    assert said == [f"task database created at schema {len(MIGRATIONS[backend.name])}"]

    assert await schema_version(backend) == len(MIGRATIONS[backend.name])
    # The owner belongs to the store (which process follows the task), not to the record; the
    # estimate in words is only read, from rows of older versions.
    assert await stored_columns(backend) == {column.name for column in TASK_COLUMNS} | {
        *COST_COLUMNS,
        LEGACY_COST_TEXT,
        "owner",
    }


async def test_reopening_keeps_data_and_does_not_migrate_again(backend: Backend, caplog):
    first = await backend.open()
    await first.add(FULL)
    await first.close()

    caplog.set_level(logging.INFO, logger="bot.store")
    caplog.clear()
    second = await backend.open()
    assert [r for r in caplog.records if r.name.startswith("bot.store")] == []
    try:
        assert await second.get("task-full") == FULL
        assert await second.events("task-full") == [(1000.0, "SUCCEEDED")]
    finally:
        await second.close()
    assert await schema_version(backend) == len(MIGRATIONS[backend.name])


async def test_ping_answers_while_open_and_raises_once_closed(backend: Backend):
    store = await backend.open()
    await store.ping()
    await store.close()
    with pytest.raises(Exception):  # noqa: B017 (each driver has its own "closed" error)
        await store.ping()


async def test_full_record_round_trip(store: TaskStore):
    await store.add(FULL)

    got = await stored(store, "task-full")

    assert got == FULL
    assert got.request.to_payload() == REQUEST.to_payload()
    assert got.status is TaskStatus.SUCCEEDED and got.phase is Phase.DELIVERING
    assert got.ending is Ending.SUCCEEDED
    assert got.actual is not None and got.estimate is not None
    assert isinstance(got.actual.amount, Decimal) and str(got.actual.amount) == "7.80"
    assert got.estimate == CostEstimate(13, Decimal("9.00"), "CNY", upper_bound=True)


async def test_minimal_record_round_trip_and_unknown_id(store: TaskStore):
    await store.add(record(guild_id=None))

    assert await store.get("task-1") == record(guild_id=None)
    assert await store.get("nope") is None


async def test_the_same_task_id_cannot_be_added_twice(store: TaskStore):
    await store.add(record())

    with pytest.raises(DuplicateTaskError):
        await store.add(record(requester_id=1))

    assert await store.get("task-1") == record()
    assert await store.events("task-1") == [(1000.0, "PENDING")]
    await store.add(record("task-2"))  # the store still writes after the refusal
    assert await store.get("task-2") == record("task-2")


async def test_save_writes_every_mutable_field(store: TaskStore):
    await store.add(record("task-full"))
    saved = replace(
        FULL,
        origin=record("task-full").origin,
        request=REQUEST,
        created_at=1000.0,
        submit_request_id=None,
        lineage=None,
        private=False,
    )
    assert {name: value(saved, name) for name in IMMUTABLE} == {
        name: value(record("task-full"), name) for name in IMMUTABLE
    }

    assert await store.save(saved) is True

    assert await store.get("task-full") == saved


async def test_save_leaves_the_request_fields_as_submitted(store: TaskStore):
    await store.add(FULL)

    other = record("task-full", guild_id=None, lineage=None, created_at=5.0)
    assert await store.save(other) is True

    got = await stored(store, "task-full")
    assert {name: value(got, name) for name in IMMUTABLE} == {
        name: value(FULL, name) for name in IMMUTABLE
    }
    assert got.status is TaskStatus.PENDING and got.estimate is None and got.ending is None


@pytest.mark.parametrize(
    "changes",
    [
        {"ending": Ending.VIDEO_GONE, "phase": Phase.DONE},
        {"ending": None, "estimate": None, "actual": None, "api_times": {}, "video_url": None},
        {"actual": None},
        {"actual": ActualCost(0, Decimal("0.000001"))},
        {"actual": ActualCost(13, Decimal("123456789.12345678"))},
        {"api_times": {"offset_s": -3.25, "queued_s": 0.0}},
        {"deadline_at": 1e10, "finished_at": 1764612345.123456},
    ],
    ids=["ending", "nones", "estimate-only", "tiny-money", "big-money", "api-times", "times"],
)
async def test_save_round_trips_values(store: TaskStore, changes):
    await store.add(FULL)

    saved = replace(FULL, **changes)
    assert await store.save(saved) is True

    assert await store.get("task-full") == saved


async def test_save_of_an_unknown_task_writes_nothing(store: TaskStore):
    assert await store.save(record("ghost")) is False
    assert await store.get("ghost") is None


async def test_events_start_with_the_submit_and_keep_order(store: TaskStore):
    await store.add(record(raw_status="PENDING"))
    await store.add_event("task-1", 1200.0, "SUCCEEDED")
    await store.add_event("task-1", 1010.0, "RUNNING")
    await store.add_event("task-1", 1010.0, "RUNNING-again")  # same time: insertion order

    assert await store.events("task-1") == [
        (1000.0, "PENDING"),
        (1010.0, "RUNNING"),
        (1010.0, "RUNNING-again"),
        (1200.0, "SUCCEEDED"),
    ]
    assert await store.events("other") == []


async def test_active_excludes_done_and_is_oldest_first(store: TaskStore):
    await store.add(record("b", created_at=2000.0, phase=Phase.DELIVERING))
    await store.add(record("a", created_at=1000.0))
    await store.add(record("c", created_at=1500.0, phase=Phase.DONE))
    await store.add(record("d", created_at=3000.0))
    await store.add(record("e", requester_id=99, created_at=500.0))
    await store.save(record("d", created_at=3000.0, phase=Phase.DONE))

    assert [r.task_id for r in await store.active()] == ["e", "a", "b"]
    assert [r.task_id for r in await store.active_for_user(42)] == ["a", "b"]
    assert await store.active_for_user(1) == []


async def test_recent_for_user_is_newest_first_and_limited(store: TaskStore):
    for n in range(5):
        await store.add(record(f"mine-{n}", created_at=1000.0 + n))
    await store.add(record("theirs", requester_id=99, created_at=5000.0))

    recent = await store.recent_for_user(42, limit=3)

    assert [r.task_id for r in recent] == ["mine-4", "mine-3", "mine-2"]
    assert len(await store.recent_for_user(42)) == 5
    assert [r.task_id for r in await store.recent_for_user(99)] == ["theirs"]
    assert await store.recent_for_user(1) == []


async def test_recent_finished_is_only_done_successes_newest_first(store: TaskStore):
    await store.add(record("ok-old", phase=Phase.DONE, status=TaskStatus.SUCCEEDED))
    await store.add(
        record("ok-new", phase=Phase.DONE, status=TaskStatus.SUCCEEDED, created_at=2000.0)
    )
    await store.add(record("failed", phase=Phase.DONE, status=TaskStatus.FAILED))
    await store.add(record("busy", status=TaskStatus.SUCCEEDED, phase=Phase.DELIVERING))

    assert [r.task_id for r in await store.recent_finished()] == ["ok-new", "ok-old"]
    assert [r.task_id for r in await store.recent_finished(limit=1)] == ["ok-new"]


def billed(task_id: str, seconds: int, amount: str, **changes) -> TaskRecord:
    estimate = CostEstimate(seconds, Decimal(amount), "CNY", upper_bound=False)
    return record(task_id, estimate=estimate, **changes)


async def test_usage_counts_running_tasks_last_submit_and_billed_spend(store: TaskStore):
    await store.add(billed("done", 10, "6.00", phase=Phase.DONE, status=TaskStatus.SUCCEEDED))
    await store.add(billed("running", 5, "3.10", created_at=1500.0, status=TaskStatus.RUNNING))
    await store.add(billed("failed", 8, "4.80", status=TaskStatus.FAILED, phase=Phase.DONE))
    await store.add(billed("canceled", 8, "4.80", status=TaskStatus.CANCELED, phase=Phase.DONE))
    await store.add(billed("expired", 2, "1.20", status=TaskStatus.UNKNOWN, phase=Phase.DONE))
    await store.add(billed("yesterday", 99, "99", created_at=999.0, phase=Phase.DONE))
    await store.add(billed("friend", 4, "2.40", requester_id=43, created_at=1600.0))
    await store.add(billed("elsewhere", 50, "50", requester_id=43, guild_id=8))
    await store.add(record("unpriced", requester_id=44))

    usage = await store.usage(42, 7, since=1000.0)

    assert usage == Usage(
        active_tasks=1,
        last_submit_at=1500.0,
        user_today=Spend(seconds=17, amount=Decimal("10.30")),
        guild_today=Spend(seconds=21, amount=Decimal("12.70")),
    )
    nobody = await store.usage(1, None, since=0.0)
    assert nobody == Usage(
        active_tasks=0, last_submit_at=None, user_today=Spend(), guild_today=Spend()
    )


async def test_spend_of_many_tasks_at_one_price_is_summed_exactly(store: TaskStore):
    # The common case (one price, one duration) is the one a float sum gets wrong: 0.30000…04.
    for number in range(3):
        await store.add(billed(f"same-{number}", 1, "0.10"))
    await store.add(billed("same-other-spelling", 1, "0.1"))

    usage = await store.usage(42, 7, since=0.0)

    assert usage.user_today == Spend(seconds=4, amount=Decimal("0.40"))
    assert usage.guild_today == Spend(seconds=4, amount=Decimal("0.40"))
    assert await store.spend_since(0.0, guild_id=7) == Spend(4, Decimal("0.40"))
    assert await store.guild_spend_by_user(7, 0.0) == [(42, Spend(4, Decimal("0.40")))]


async def test_spend_since_of_a_user_or_a_guild(store: TaskStore):
    await store.add(billed("a", 10, "6.00"))
    await store.add(billed("b", 3, "1.25", requester_id=43, guild_id=None))
    await store.add(billed("c", 7, "0.05", status=TaskStatus.FAILED))

    assert await store.spend_since(0.0, requester_id=42) == Spend(10, Decimal("6.00"))
    assert await store.spend_since(0.0, requester_id=43) == Spend(3, Decimal("1.25"))
    assert await store.spend_since(0.0, guild_id=7) == Spend(10, Decimal("6.00"))
    assert await store.spend_since(1000.5, guild_id=7) == Spend()
    assert await store.spend_since(0.0) == Spend()
    assert await store.spend_since(0.0, guild_id=None) == Spend()


async def test_guild_spend_by_user_is_largest_amount_first(store: TaskStore):
    await store.add(billed("small", 1, "0.60", requester_id=1))
    await store.add(billed("big-1", 5, "3.00", requester_id=2))
    await store.add(billed("big-2", 5, "3.00", requester_id=2))
    await store.add(billed("tie-a", 2, "1.20", requester_id=4))
    await store.add(billed("tie-b", 2, "1.20", requester_id=3))
    await store.add(billed("failed", 99, "99", requester_id=5, status=TaskStatus.FAILED))
    await store.add(billed("other-guild", 9, "9", requester_id=6, guild_id=70))

    spends = await store.guild_spend_by_user(7, since=0.0)

    assert spends == [
        (2, Spend(10, Decimal("6.00"))),
        (3, Spend(2, Decimal("1.20"))),
        (4, Spend(2, Decimal("1.20"))),
        (1, Spend(1, Decimal("0.60"))),
    ]
    assert await store.guild_spend_by_user(7, since=2000.0) == []


async def test_guild_tasks_since_lists_one_guilds_tasks_oldest_first(store: TaskStore):
    await store.add(record("late", created_at=1200.0))
    await store.add(record("early", created_at=1100.0, private=True))
    await store.add(record("before", created_at=900.0))
    await store.add(record("elsewhere", created_at=1150.0, guild_id=70))

    listed = await store.guild_tasks_since(7, since=1000.0)

    assert [task.task_id for task in listed] == ["early", "late"]
    assert listed[0].private, "private tasks count for accounting too"


# Rows as versions before 0.2 wrote them: the estimate as a sentence in the requester's
# language, the counted seconds and amount, and the estimate apart once the actual was known.
LEGACY_ROWS = [
    # task_id, cost_text, billed_seconds, cost_amount, estimated_amount, expected estimate, actual
    (
        "exact",
        "≈ 1.25 CNY (5 billed s)",
        5,
        "1.25",
        None,
        CostEstimate(5, Decimal("1.25"), "CNY", False),
        None,
    ),
    (
        "bound-zh",
        "最多 7.80 USD（计费 13 秒）",
        13,
        "7.80",
        None,
        CostEstimate(13, Decimal("7.80"), "USD", True),
        None,
    ),
    (
        "billed",
        "up to 9.00 CNY (13 billed s)",
        12,
        "7.80",
        "9.00",
        CostEstimate(13, Decimal("9.00"), "CNY", True),
        ActualCost(12, Decimal("7.80")),
    ),
    ("garbled", "??", 4, "2.00", None, CostEstimate(4, Decimal("2.00"), "", False), None),
    ("unpriced", None, None, None, None, None, None),
]


async def database_before_the_estimate_columns(backend: Backend) -> None:
    """A database at the last schema that kept the estimate only as a sentence."""
    migrations = MIGRATIONS[backend.name]
    first_new = next(n for n, step in enumerate(migrations) if "COLUMN currency" in str(step))
    old = [step for step in migrations[:first_new] if isinstance(step, str)]
    assert len(old) == first_new
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            for step in old:
                db.executescript(step)
            db.execute(f"PRAGMA user_version = {len(old)}")
        return
    conn = await asyncpg.connect(backend.location)
    try:
        await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for number, step in enumerate(old, start=1):
            await conn.execute(step)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
    finally:
        await conn.close()


async def write_legacy_rows(backend: Backend) -> None:
    columns = (
        "task_id, requester_id, channel_id, request_json, created_at, deadline_at, status, "
        "raw_status, phase, cost_text, billed_seconds, cost_amount, estimated_amount"
    )
    done = (1000.0, 2800.0, "SUCCEEDED", "SUCCEEDED", "done")
    rows = [
        (task_id, 42, 8, REQUEST.to_record(), *done, text, seconds, amount, estimated)
        for task_id, text, seconds, amount, estimated, _, _ in LEGACY_ROWS
    ]
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            db.executemany(
                f"INSERT INTO tasks ({columns}) VALUES ({', '.join('?' * 13)})",
                [(*row[:3], json.dumps(row[3]), *row[4:]) for row in rows],
            )
        return
    conn = await asyncpg.connect(backend.location)
    try:
        await conn.executemany(
            f"INSERT INTO tasks ({columns}) VALUES ({', '.join(f'${n}' for n in range(1, 14))})",
            [
                (
                    *row[:3],
                    json.dumps(row[3]),
                    *row[4:11],
                    None if row[11] is None else Decimal(row[11]),
                    None if row[12] is None else Decimal(row[12]),
                )
                for row in rows
            ],
        )
    finally:
        await conn.close()


async def test_the_migration_turns_old_estimates_in_words_into_data(backend: Backend):
    await database_before_the_estimate_columns(backend)
    await write_legacy_rows(backend)

    store = await backend.open()
    try:
        got = {task_id: await stored(store, task_id) for task_id, *_ in LEGACY_ROWS}
        spend = await store.spend_since(0.0, requester_id=42)
    finally:
        await store.close()

    for task_id, *_, estimate, actual in LEGACY_ROWS:
        assert (got[task_id].estimate, got[task_id].actual) == (estimate, actual), task_id
    # Budgets count what they counted before: the actual cost where it was known.
    assert spend == Spend(5 + 13 + 12 + 4, Decimal("1.25") + Decimal("7.80") * 2 + 2)
    assert await schema_version(backend) == len(MIGRATIONS[backend.name])


async def test_rows_an_older_process_writes_after_the_migration_are_read_alike(backend: Backend):
    # During a rolling upgrade an older process still writes the sentence and no currency.
    store = await backend.open()
    await store.close()
    await write_legacy_rows(backend)

    store = await backend.open()
    try:
        for task_id, *_, estimate, actual in LEGACY_ROWS:
            got = await stored(store, task_id)
            assert (got.estimate, got.actual) == (estimate, actual), task_id
    finally:
        await store.close()
