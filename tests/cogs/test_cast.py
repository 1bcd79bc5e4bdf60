"""`/r2v cast` and Apps → "Save to r2v cast" end to end: the real bot against the fake Discord,
real image and clip files, the store and the cast folder."""

from __future__ import annotations

import pytest

from bot.store.cast import CastMember
from fakes.media import make_image
from tests.cogs.common import add, clip, image, status_of

MANAGE_MESSAGES = 1 << 13


def cdn_reads(fake_discord) -> int:
    return sum(1 for r in fake_discord.requests if r.path.startswith("/attachments/"))


async def test_an_added_image_is_kept_copied_and_announced(bot, fake_discord, config):
    ref = image(fake_discord)

    answer = await add(fake_discord, "Mia", ref, description="the barista, red scarf @everyone")

    assert "**Mia** is in this server's cast" in answer and "`/r2v generate cast:Mia`" in answer
    member = await bot.store.cast_member(fake_discord.guild_id, "mia")
    assert isinstance(member, CastMember)
    assert (member.reference.kind, member.reference.file_format) == ("image", "PNG")
    assert (member.reference.width, member.reference.height) == (640, 640)
    assert member.reference.original_filename == "mia.png"
    assert member.description == "the barista, red scarf @everyone"
    kept = config.cast.cast_dir / str(fake_discord.guild_id) / member.kept_name
    assert kept.read_bytes() == make_image(640, 640).read_bytes()

    [copy] = fake_discord.messages()
    assert int(copy["id"]) == member.copy.message_id
    assert "**Mia** joined this server's r2v cast" in copy["content"]
    assert fake_discord.pinged(copy) == {"everyone": False, "users": set(), "roles": set()}
    assert copy["attachments"][0]["filename"] == member.copy.filename == member.kept_name


async def test_a_clip_is_kept_with_its_length(bot, fake_discord):
    assert "is in this server's cast" in await add(fake_discord, "Walker", clip(fake_discord))
    member = await bot.store.cast_member(fake_discord.guild_id, "Walker")
    assert member is not None and member.reference.kind == "video"
    assert member.reference.clip_seconds == pytest.approx(2.0, abs=0.05)


async def test_a_clip_over_the_servers_upload_cap_is_fitted_to_it(bot, fake_discord, clip_1080p):
    data = clip_1080p.read_bytes()
    assert len(data) > 10 * 1024 * 1024
    ref = fake_discord.add_attachment("big.mp4", "video/mp4", len(data), data=data)

    # Re-encoding a 1080P clip takes seconds, more on a busy machine.
    assert "is in this server's cast" in await add(fake_discord, "Big", ref, timeout=180)

    member = await bot.store.cast_member(fake_discord.guild_id, "Big")
    assert member is not None and member.reference.size_bytes <= 10 * 1024 * 1024
    assert member.reference.clip_seconds == pytest.approx(10.0, abs=0.2)
    [copy] = fake_discord.messages()
    assert copy["attachments"][0]["size"] == member.reference.size_bytes


async def test_bad_names_and_files_are_refused_once_and_nothing_is_kept(bot, fake_discord, config):
    transparent = image(fake_discord, "glass.png", alpha=True)
    answer = await add(fake_discord, "Glass", transparent)
    assert answer.startswith("**Nothing was added.**")
    assert "`glass.png` is a PNG with transparency" in answer

    small = image(fake_discord, "tiny.png", 200, 200)
    assert "each side must be at least 240 px" in await add(fake_discord, "Tiny", small)
    reads = cdn_reads(fake_discord)
    answer = await add(fake_discord, "character2", image(fake_discord))
    assert "how the model numbers references" in answer
    assert "Attach the character's image" in await add(fake_discord, "Nobody")
    assert cdn_reads(fake_discord) == reads, "refused before any download"

    assert fake_discord.messages() == []
    assert await bot.store.cast_names(fake_discord.guild_id) == []
    folder = config.cast.cast_dir / str(fake_discord.guild_id)
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_a_taken_name_is_refused_before_the_file_is_fetched(bot, fake_discord):
    await add(fake_discord, "Mia", image(fake_discord))
    reads = cdn_reads(fake_discord)

    answer = await add(fake_discord, "  MIA ", image(fake_discord, "other.png"))

    assert "already has **MIA**" in answer
    assert cdn_reads(fake_discord) == reads
    assert len(fake_discord.messages()) == 1


async def test_a_pasted_discord_link_is_renewed_and_taken_other_links_never_fetched(
    bot, fake_discord
):
    posted = image(fake_discord, "hero.png")
    fake_discord.post_user_message(None, "my hero", attachments=[posted])
    fake_discord.advance(days=3)  # the link pasted is long expired
    assert await status_of(posted["url"]) == 404

    answer = await add(fake_discord, "Hero", link=posted["url"])

    assert "**Hero** is in this server's cast" in answer
    member = await bot.store.cast_member(fake_discord.guild_id, "Hero")
    assert member is not None and member.reference.original_filename == "hero.png"
    reads = cdn_reads(fake_discord)
    answer = await add(fake_discord, "Away", link="https://example.com/hero.png")
    assert "not a file on Discord" in answer
    assert cdn_reads(fake_discord) == reads
    assert "not both" in await add(fake_discord, "Both", image(fake_discord), link=posted["url"])


async def test_the_gallery_pages_with_pictures(bot, fake_discord):
    for number in range(12):
        await add(fake_discord, f"Member {number:02}", image(fake_discord, f"m{number}.png"))
    await add(fake_discord, "Walker", clip(fake_discord))

    listing = await fake_discord.invoke("r2v cast list", {})
    page = await listing.wait_private()
    assert page["content"].startswith("**This server's cast** · page 1 of 2 · 13 members")
    titles = [embed["title"] for embed in page["embeds"]]
    assert titles == [f"Member {n:02}" for n in range(10)]
    thumbnail = page["embeds"][0]["thumbnail"]["url"]
    assert await status_of(thumbnail) == 200
    assert len(str(page["embeds"])) < 6000

    following = await fake_discord.click(page["id"], "r2v-cast:page:2:n")
    await following.wait_response()
    assert page["content"].startswith("**This server's cast** · page 2 of 2")
    assert [e["title"] for e in page["embeds"]] == ["Member 10", "Member 11", "Walker"]
    assert (
        "thumbnail" not in page["embeds"][2]
        and "🎬 MP4 · 2.0 s" in page["embeds"][2]["description"]
    )


async def test_an_empty_cast_says_how_to_fill_it(bot, fake_discord):
    listing = await fake_discord.invoke("r2v cast list", {})
    assert "cast is empty" in (await listing.wait_private())["content"]


async def test_a_member_shown_a_month_later_has_a_working_picture(bot, fake_discord):
    await add(fake_discord, "Mia", image(fake_discord))
    fake_discord.advance(days=30)

    show = await fake_discord.invoke("r2v cast show", {"name": "mia"})
    [card] = (await show.wait_private())["embeds"]

    assert card["title"] == "Mia" and "`/r2v generate cast:Mia`" in card["description"]
    assert await status_of(card["image"]["url"]) == 200
    missing = await fake_discord.invoke("r2v cast show", {"name": "Nobody"})
    assert "has no **Nobody**" in (await missing.wait_private())["content"]


async def test_names_autocomplete_from_the_servers_cast(bot, fake_discord):
    for name in ("Mia", "Mila", "Robot"):
        await add(fake_discord, name, image(fake_discord))

    typing = await fake_discord.invoke("r2v cast show", {"name": "mi"}, focused="name")

    choices = (await typing.wait_response())["json"]["data"]["choices"]
    assert [c["value"] for c in choices] == ["Mia", "Mila"]


async def test_only_the_adder_or_a_moderator_renames_or_removes(bot, fake_discord, config):
    adder = fake_discord.make_user(name="ada", permissions="0")
    stranger = fake_discord.make_user(name="zed", permissions="0")
    moderator = fake_discord.make_user(name="mod", permissions=str(MANAGE_MESSAGES))
    await add(fake_discord, "Mia", image(fake_discord), user=adder)
    member = await bot.store.cast_member(fake_discord.guild_id, "Mia")
    assert member is not None

    refused = await fake_discord.invoke(
        "r2v cast rename", {"name": "Mia", "new_name": "Mine"}, user=stranger
    )
    assert "Only <@" in (await refused.wait_private())["content"]
    renamed = await fake_discord.invoke(
        "r2v cast rename", {"name": "mia", "new_name": "Mia Rose"}, user=adder
    )
    assert "**Mia** is now **Mia Rose**" in (await renamed.wait_private())["content"]
    kept = config.cast.cast_dir / str(fake_discord.guild_id) / member.kept_name
    assert kept.exists()

    refused = await fake_discord.invoke("r2v cast remove", {"name": "Mia Rose"}, user=stranger)
    assert "Only <@" in (await refused.wait_private())["content"]
    removed = await fake_discord.invoke("r2v cast remove", {"name": "mia rose"}, user=moderator)
    assert "was removed" in (await removed.wait_private())["content"]
    assert await bot.store.cast_names(fake_discord.guild_id) == []
    assert not kept.exists(), "the kept file goes with its member"


async def test_save_to_cast_from_a_messages_second_file(bot, fake_discord):
    first, second = image(fake_discord, "a.png"), image(fake_discord, "b.png", 480, 480)
    target = fake_discord.post_user_message(None, "two pictures", attachments=[first, second])
    fake_discord.advance(days=2)  # the message is old: its links are renewed in the menu

    menu = await fake_discord.invoke_message_command("Save to r2v cast", target)
    await menu.wait_response()
    assert menu.modal is not None and menu.modal["title"] == "Save to r2v cast"
    submitted = await fake_discord.submit_modal(
        menu, {"name": "Robot", "description": "tin, friendly", "file": ["1"]}
    )
    assert "**Robot** is in this server's cast" in (await submitted.wait_private())["content"]

    member = await bot.store.cast_member(fake_discord.guild_id, "Robot")
    assert member is not None and member.reference.original_filename == "b.png"
    assert (member.reference.width, member.description) == (480, "tin, friendly")


async def test_save_to_cast_on_a_message_without_files_explains(bot, fake_discord):
    target = fake_discord.post_user_message(None, "no files")
    menu = await fake_discord.invoke_message_command("Save to r2v cast", target)
    answer = await menu.wait_response()
    assert "no attached image or clip" in answer["json"]["data"]["content"]


async def test_the_cast_speaks_chinese_to_a_chinese_client(bot, fake_discord):
    answer = await add(fake_discord, "小明", image(fake_discord), locale="zh-CN")
    assert "**小明** 已加入本服务器的角色库" in answer
    refused = await add(fake_discord, "a,b", image(fake_discord), locale="zh-CN")
    assert refused.startswith("**没有添加任何角色。**") and "逗号" in refused


async def test_the_cast_option_autocompletes_its_last_name(bot, fake_discord):
    for name in ("Mia", "Mila", "Robot"):
        await add(fake_discord, name, image(fake_discord))

    assert await bot.cast.name_lists(fake_discord.guild_id, "") == ["Mia", "Mila", "Robot"]
    assert await bot.cast.name_lists(fake_discord.guild_id, "robot, mi") == [
        "robot, Mia",
        "robot, Mila",
    ]
    assert await bot.cast.name_lists(fake_discord.guild_id, "Mia，Mila, ") == ["Mia, Mila, Robot"]
    assert await bot.cast.name_lists(fake_discord.guild_id, "Robot、mil") == ["Robot, Mila"]
