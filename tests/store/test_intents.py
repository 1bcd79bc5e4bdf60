"""A hold is also its submission's intent, on both stores: found open when no live process will
finish it, closed once its member is told, gone when its task is stored."""

from __future__ import annotations

from decimal import Decimal

from bot.store.protocol import TaskStore
from bot.store.types import Hold, Intent, OpenIntent, Spend
from tests.store.conftest import Backend
from tests.store.test_contract import record

NOW = 10_000.0
TIMEOUT = 60.0
MEMBER = 42
GUILD = 7
INTENT = Intent(
    channel_id=5, locale="zh-CN", private=True, model="wan2.6-r2v", duration=8, prompt_start="hé"
)


async def fits() -> None:
    return None


async def reserve(store: TaskStore, owner: str | None, *, at: float = NOW, **changes) -> int:
    hold = Hold(MEMBER, GUILD, at, Spend(5, Decimal("1.5")), at + 600, owner=owner, intent=INTENT)
    reservation = await store.reserve(hold, fits)
    assert isinstance(reservation, int)
    return reservation


async def found(store: TaskStore, owner: str | None = "me", started_at: float = NOW) -> list[int]:
    return [i.id for i in await store.open_intents(owner, NOW + 1 - TIMEOUT, started_at)]


async def test_an_intent_of_a_dead_process_is_found_with_all_it_needs(store: TaskStore):
    await store.heartbeat("dead", NOW - 2 * TIMEOUT)
    reservation = await reserve(store, "dead")

    assert await store.open_intents("me", NOW + 1 - TIMEOUT, NOW) == [
        OpenIntent(reservation, MEMBER, GUILD, NOW, INTENT, task_id=None)
    ]


async def test_a_live_process_finishes_its_own_intents(store: TaskStore):
    await store.heartbeat("alive", NOW)
    await reserve(store, "alive")
    await reserve(store, "me")
    assert await found(store) == [], "in flight: their processes store or report them"


async def test_a_process_that_stopped_leaves_its_intents_to_others(store: TaskStore):
    await store.heartbeat("stopped", NOW)
    reservation = await reserve(store, "stopped")
    await store.release("stopped", NOW)  # a clean stop that had a submit on the wire
    assert await found(store) == [reservation]


async def test_alone_on_its_store_a_process_reports_what_came_before_it(store: TaskStore):
    before = await reserve(store, None, at=NOW - 5)
    await reserve(store, None, at=NOW + 1)  # its own, in flight
    assert await found(store, owner=None, started_at=NOW) == [before]


async def test_an_intent_is_told_once_and_can_be_opened_again(backend: Backend):
    first, second = await backend.open(), await backend.open()
    try:
        reservation = await reserve(first, "dead")
        assert await first.intent_told(reservation, NOW)
        assert not await second.intent_told(reservation, NOW), "another process took it"
        assert await found(second) == []

        await first.intent_untold(reservation)  # Discord was down
        assert await found(second) == [reservation]
    finally:
        await first.close()
        await second.close()


async def test_a_task_id_noted_with_the_telling_is_kept(store: TaskStore):
    reservation = await reserve(store, "dead")
    assert await store.intent_told(reservation, NOW, task_id="t-9")
    await store.intent_untold(reservation)
    [open_intent] = await store.open_intents("me", NOW, NOW)
    assert open_intent.task_id == "t-9"


async def test_a_stored_task_or_a_certain_failure_closes_the_intent(store: TaskStore):
    stored = await reserve(store, "dead")
    failed = await reserve(store, "dead")
    await store.add(record("t1", requester_id=MEMBER, created_at=NOW), reservation=stored)
    await store.drop_hold(failed)
    assert await found(store) == []


async def test_an_expired_hold_stops_counting_but_stays_until_its_member_is_told(
    store: TaskStore,
):
    untold = await reserve(store, "dead")
    told = await reserve(store, "dead")
    assert await store.intent_told(told, NOW)
    later = NOW + 601  # both expired: a reserve now sweeps expired holds
    await store.reserve(Hold(1, None, later, Spend(), later + 600), fits)

    assert await store.holds(MEMBER, GUILD, later) == [], "they count no more"
    assert await found(store) == [untold], "the untold one stays, to be told"


async def test_a_hold_without_an_intent_is_never_reported(store: TaskStore):
    await store.reserve(Hold(MEMBER, GUILD, NOW, Spend(), NOW + 600, owner="dead"), fits)
    assert await found(store) == []
