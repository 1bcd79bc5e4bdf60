"""Stories end to end: shots chained with Continue, exported as one MP4 (the real ffmpeg) with
the list of shots, their prompts and the total cost; a shot no longer kept is named and left
out; what a story is, and its export fitted under a cap, decided outside Discord."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.stories import Exported, NotAStory, Story
from bot.video.mp4 import Mp4Info, probe
from fakes.fake_bailian import TaskPlan
from fakes.media import make_mp4
from tests.common import custom_ids, generate, result_of

SHOT_S = 2.0
TIER_0_CAP = 10 * 1024 * 1024


async def continued(fake_discord, fake_api, result, task_id, prompt, user):
    """Continue from a result: the next shot's task id and its result message."""
    click = await fake_discord.click(result["id"], f"r2v:continue:{task_id}", user=user)
    await click.wait_response()
    shot = await fake_discord.submit_modal(click, {"prompt": prompt}, user=user)
    await shot.wait_public()
    new = fake_api.submits[-1].task_id
    return new, await result_of(fake_discord, new)


async def three_shots(fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(
        pending_s=0.05, running_s=0.05, video_file=make_mp4(640, 360, SHOT_S, "2M")
    )
    interaction, _ = await generate(fake_discord, "character1 walks in")
    user = interaction.user
    a = fake_api.submits[0].task_id
    first = await result_of(fake_discord, a)
    b, second = await continued(fake_discord, fake_api, first, a, "character1 sits down", user)
    c, third = await continued(fake_discord, fake_api, second, b, "character1 waves bye", user)
    return user, (a, b, c), (first, second, third)


async def posted_story(fake_discord, interaction):
    """The story post (joining takes ffmpeg a few seconds, more on a busy machine)."""

    def post():
        return next(
            (
                m
                for m in fake_discord.messages()
                if m.get("interaction_id") == interaction.id and m["attachments"]
            ),
            None,
        )

    found = await fake_discord.wait_for(post, 120, what="the story")
    assert "posted below" in (await interaction.wait_private())["content"]
    return found


async def duration_of(url: str, tmp_path: Path) -> float:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        data = await response.read()
    path = tmp_path / "posted.mp4"
    path.write_bytes(data)
    info = probe(path)
    assert isinstance(info, Mp4Info), info
    return info.duration_s


async def test_three_shots_are_exported_as_one_mp4_as_long_as_they_fitted_to_a_tier_0_guild(
    bot, fake_discord, fake_api, tmp_path
):
    user, (a, b, c), (first, second, third) = await three_shots(fake_discord, fake_api)
    assert not any(":story:" in i for i in custom_ids(first)), "one shot is no story"
    assert f"r2v:story:{b}" in custom_ids(second) and f"r2v:story:{c}" in custom_ids(third)

    click = await fake_discord.click(third["id"], f"r2v:story:{c}", user=user)
    post = await posted_story(fake_discord, click)

    attachment = post["attachments"][0]
    assert attachment["size"] <= TIER_0_CAP
    total = 3 * SHOT_S
    assert abs(await duration_of(attachment["url"], tmp_path) - total) <= 0.05 * total
    assert "A story of 3 shots" in post["content"]
    [embed] = post["embeds"]
    listed = embed["description"].splitlines()
    assert [line.split("` ", 1)[1] for line in listed] == [
        "character1 walks in",
        "character1 sits down",
        "character1 waves bye",
    ]
    assert [line.split("`")[1] for line in listed] == [a, b, c]
    assert embed["fields"][0]["value"] == "7.50 CNY (15 billed s)"
    assert fake_discord.pinged(post) == {"everyone": False, "users": set(), "roles": set()}


async def test_a_shot_no_longer_kept_is_named_and_the_rest_still_export(
    bot, fake_discord, fake_api, tmp_path
):
    _user, (_a, b, c), _ = await three_shots(fake_discord, fake_api)
    bot.videos.keeper.path_for(b).unlink()  # pruned

    command = await fake_discord.invoke("r2v story", {"task_id": c})
    post = await posted_story(fake_discord, command)

    assert "One shot is no longer kept by the bot and left out" in post["content"]
    second_line = post["embeds"][0]["description"].splitlines()[1]
    assert b in second_line and "no longer kept, left out" in second_line
    total = 2 * SHOT_S
    assert abs(await duration_of(post["attachments"][0]["url"], tmp_path) - total) <= 0.05 * total


async def test_a_story_is_decided_outside_discord_and_fitted_under_a_cap(
    bot, fake_discord, fake_api
):
    _user, (a, b, c), _ = await three_shots(fake_discord, fake_api)
    guild = fake_discord.guild_id
    assert isinstance(await bot.flow.stories.story(a, 0, guild), NotAStory)
    story = await bot.flow.stories.story(c, 0, guild)
    assert isinstance(story, Story)
    assert [s.record.task_id for s in story.shots] == [a, b, c]
    assert story.gone == ()

    async with bot.flow.stories.exported(story, 10 * 1024 * 1024) as whole:
        assert isinstance(whole, Exported) and not whole.fitted
        size = whole.info.size_bytes
        folder = whole.path.parent
    assert not folder.exists(), "the export's folder goes when the caller is done"
    async with bot.flow.stories.exported(story, size * 3 // 4) as fitted:
        assert isinstance(fitted, Exported) and fitted.fitted
        assert fitted.info.size_bytes <= size * 3 // 4
        assert fitted.info.duration_s == pytest.approx(3 * SHOT_S, rel=0.05)
