"""The settings service on both stores: a change is seen by the next read of any process (a
second store on the same database), reset goes back to the environment, bad text changes
nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.policy import LimitSettings
from bot.store.open import Store
from bot.team.service import Changed, TeamSettingsService, Unchanged
from bot.team.values import BadValue, Setting, TeamSettings
from tests.store.conftest import Backend

GUILD = 1100000000000000003
ENV = TeamSettings(limits=LimitSettings(user_cooldown_s=10.0, confirm_above=Decimal(5)))


def service(store: Store, now: float = 1000.0) -> TeamSettingsService:
    return TeamSettingsService(store, lambda guild_id: ENV, clock=lambda: now)


async def test_a_change_reaches_every_process_at_its_next_read(backend: Backend):
    first, second = await backend.open(), await backend.open()
    try:
        admin, other = service(first), service(second)
        assert await other.for_guild(GUILD) == ENV

        changed = await admin.change(GUILD, Setting.COOLDOWN, "45", changed_by=7)

        assert isinstance(changed, Changed) and changed.change.new == "45"
        expected = replace(ENV, limits=replace(ENV.limits, user_cooldown_s=45.0))
        assert await other.for_guild(GUILD) == expected, "no restart, no cache to expire"
        assert await other.for_guild(None) == ENV, "direct messages use the environment"
    finally:
        await first.close()
        await second.close()


async def test_reset_unchanged_and_bad_values(store: Store):
    settings = service(store)
    await settings.change(GUILD, Setting.CONFIRM_ABOVE, "off", changed_by=7)

    again = await settings.change(GUILD, Setting.CONFIRM_ABOVE, "none", changed_by=8)
    assert isinstance(again, Unchanged), "off and none are the same value"
    bad = await settings.change(GUILD, Setting.CONFIRM_ABOVE, "lots", changed_by=8)
    assert isinstance(bad, BadValue)
    reset = await settings.change(GUILD, Setting.CONFIRM_ABOVE, None, changed_by=9)
    assert isinstance(reset, Changed) and reset.merged.settings == ENV
    assert reset.merged.own == frozenset()

    overview = await settings.overview(GUILD)
    assert overview.environment == ENV and overview.merged.settings == ENV
    assert [(c.new, c.changed_by) for c in overview.changes] == [(None, 9), ("off", 7)]
