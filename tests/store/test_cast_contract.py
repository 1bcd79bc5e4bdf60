"""What every store does with a server's cast and its own settings, run against SQLite and
PostgreSQL alike."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.store.cast import NEW_CAST_ID, CastCopy, CastFile, CastMember, CastPage, NameTaken
from bot.store.open import Store
from bot.store.team import SettingChange

GUILD = 987_654_321_987_654_321
OTHER_GUILD = 7


def member(name: str = "Mia", guild_id: int = GUILD, **changes) -> CastMember:
    base = CastMember(
        id=NEW_CAST_ID,
        guild_id=guild_id,
        name=name,
        reference=CastFile(
            kind="image",
            file_format="PNG",
            size_bytes=123_456,
            original_filename="mia portrait (final).png",
            width=640,
            height=960,
        ),
        added_by=1_234_567_890_123_456_789,
        added_at=1_764_612_345.5,
        copy=CastCopy(
            channel_id=555_555_555_555_555_555,
            message_id=1_111_111_111_111_111_111,
            filename="mia.png",
            url="https://cdn.discordapp.com/attachments/5/6/mia.png?ex=1&is=2&hm=3",
        ),
        kept_name="1a2b3c.png",
        description="the barista, red scarf",
    )
    return replace(base, **changes)


CLIP = CastFile(
    kind="video",
    file_format="MP4",
    size_bytes=9_000_000,
    original_filename="walk.mp4",
    width=1280,
    height=720,
    clip_seconds=4.25,
)


async def test_a_member_comes_back_field_for_field(store: Store):
    added = await store.add_cast(member())
    assert isinstance(added, CastMember) and added.id != NEW_CAST_ID
    assert added == replace(member(), id=added.id)

    assert await store.cast_member(GUILD, "Mia") == added
    assert await store.cast_by_id(added.id) == added
    robot = await store.add_cast(member("Robot", reference=CLIP, description=None))
    assert isinstance(robot, CastMember)
    assert await store.cast_member(GUILD, "robot") == robot
    assert robot.reference.clip_seconds == 4.25 and robot.description is None


async def test_names_are_unique_per_server_regardless_of_case(store: Store):
    first = await store.add_cast(member("Mia"))
    assert isinstance(first, CastMember)

    assert await store.add_cast(member("MIA")) == NameTaken("MIA")
    assert await store.add_cast(member("ｍｉａ")) == NameTaken("ｍｉａ"), "full-width is the same"
    elsewhere = await store.add_cast(member("mia", guild_id=OTHER_GUILD))
    assert isinstance(elsewhere, CastMember), "another server may use the name"

    found = await store.cast_member(GUILD, "  mIa ")
    assert found is not None and found.name == "Mia", "kept as typed, found in any case"
    assert await store.cast_member(GUILD, "Mila") is None


async def test_members_by_names_in_one_call(store: Store):
    for name in ("Mia", "Robot", "Dr. Who"):
        await store.add_cast(member(name))
    await store.add_cast(member("Mia", guild_id=OTHER_GUILD))

    found = await store.cast_members(GUILD, ["robot", "DR. WHO", "nobody", "Robot"])

    assert sorted(m.name for m in found) == ["Dr. Who", "Robot"]
    assert await store.cast_members(GUILD, []) == []


async def test_pages_in_name_order_with_the_total(store: Store):
    for name in ("delta", "Alpha", "charlie", "Bravo", "echo"):
        await store.add_cast(member(name))
    await store.add_cast(member("aardvark", guild_id=OTHER_GUILD))

    first = await store.cast_page(GUILD, offset=0, limit=2)
    second = await store.cast_page(GUILD, offset=2, limit=2)
    beyond = await store.cast_page(GUILD, offset=10, limit=2)

    assert [m.name for m in first.members] == ["Alpha", "Bravo"] and first.total == 5
    assert [m.name for m in second.members] == ["charlie", "delta"] and second.total == 5
    assert beyond == CastPage([], 5)
    assert await store.cast_page(12345, 0, 10) == CastPage([], 0)


async def test_names_by_prefix_for_autocomplete(store: Store):
    for name in ("Mia", "Mila", "mike", "Robot", "100% Max", "小明"):
        await store.add_cast(member(name))

    assert await store.cast_names(GUILD, "mi") == ["Mia", "mike", "Mila"]
    assert await store.cast_names(GUILD, "MI", limit=2) == ["Mia", "mike"]
    assert await store.cast_names(GUILD, "100%") == ["100% Max"]
    assert await store.cast_names(GUILD, "%") == [], "a prefix is text, not a pattern"
    assert await store.cast_names(GUILD, "小") == ["小明"]
    assert len(await store.cast_names(GUILD)) == 6
    assert await store.cast_names(OTHER_GUILD) == []


async def test_rename_keeps_everything_else(store: Store):
    mia = await store.add_cast(member("Mia"))
    await store.add_cast(member("Robot"))
    assert isinstance(mia, CastMember)

    renamed = await store.rename_cast(mia.id, "Mia Rose")
    assert renamed == replace(mia, name="Mia Rose")
    assert await store.cast_member(GUILD, "mia rose") == renamed
    assert await store.cast_member(GUILD, "Mia") is None

    assert await store.rename_cast(mia.id, "ROBOT") == NameTaken("ROBOT")
    assert await store.cast_by_id(mia.id) == renamed, "a refused rename changes nothing"
    assert await store.rename_cast(mia.id, "MIA ROSE") == replace(mia, name="MIA ROSE")
    assert await store.rename_cast(999_999, "x") is None


async def test_remove_and_move_the_copy(store: Store):
    mia = await store.add_cast(member("Mia"))
    assert isinstance(mia, CastMember)
    copy = CastCopy(channel_id=42, message_id=2_222_222_222_222_222_222, filename="m.png", url="u")

    assert await store.move_cast_copy(mia.id, copy) is True
    assert await store.cast_by_id(mia.id) == replace(mia, copy=copy)
    assert await store.remove_cast(mia.id) is True
    assert await store.cast_by_id(mia.id) is None
    assert await store.remove_cast(mia.id) is False
    assert await store.move_cast_copy(mia.id, copy) is False
    again = await store.add_cast(member("Mia"))
    assert isinstance(again, CastMember), "a removed member's name is free again"


async def test_server_settings_and_their_log(store: Store):
    assert await store.guild_settings(GUILD) == {}

    first = await store.change_guild_setting(
        GUILD, "user_cooldown_s", "30", changed_by=1, changed_at=100.0
    )
    second = await store.change_guild_setting(
        GUILD, "user_cooldown_s", "45", changed_by=2, changed_at=200.0
    )
    same = await store.change_guild_setting(
        GUILD, "user_cooldown_s", "45", changed_by=3, changed_at=300.0
    )
    await store.change_guild_setting(GUILD, "confirm_above", "off", changed_by=1, changed_at=400.0)
    await store.change_guild_setting(OTHER_GUILD, "model", "x", changed_by=1, changed_at=1.0)

    assert first == SettingChange(GUILD, "user_cooldown_s", None, "30", 1, 100.0)
    assert second.old == "30" and second.new == "45" and second.changed
    assert not same.changed
    assert await store.guild_settings(GUILD) == {"user_cooldown_s": "45", "confirm_above": "off"}

    reset = await store.change_guild_setting(
        GUILD, "user_cooldown_s", None, changed_by=4, changed_at=500.0
    )
    assert reset == SettingChange(GUILD, "user_cooldown_s", "45", None, 4, 500.0)
    assert await store.guild_settings(GUILD) == {"confirm_above": "off"}

    log = await store.guild_setting_changes(GUILD)
    assert [(c.name, c.old, c.new, c.changed_by) for c in log] == [
        ("user_cooldown_s", "45", None, 4),
        ("confirm_above", None, "off", 1),
        ("user_cooldown_s", "30", "45", 2),
        ("user_cooldown_s", None, "30", 1),
    ], "newest first; the unchanged set is not logged"
    assert len(await store.guild_setting_changes(GUILD, limit=2)) == 2


async def test_concurrent_changes_each_log_the_value_they_replaced(store: Store):
    values = [str(n) for n in range(8)]
    await asyncio.gather(
        *(
            store.change_guild_setting(
                GUILD, "max_active_per_user", v, changed_by=1, changed_at=1.0
            )
            for v in values
        )
    )
    log = list(reversed(await store.guild_setting_changes(GUILD, limit=20)))
    # Each change replaced the value the one before it set: a chain, none lost.
    assert [c.old for c in log] == [None] + [c.new for c in log[:-1]]
    assert sorted(c.new or "" for c in log) == values
