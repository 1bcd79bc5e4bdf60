"""The cast in a video, end to end: `/r2v generate cast:` against the fake Discord and API, its
members first among the references with links Discord signed now (a month later too, and from a
copy uploaded again when the old one was deleted), the prompt rewritten, every rule counting
the cast, and Re-roll and Continue of a cast task with fresh links."""

from __future__ import annotations

from urllib.parse import urlsplit

from fakes.fake_bailian import TaskPlan
from tests.cogs.common import add, clip, image, status_of
from tests.common import png, result_of


def path_of(url: str) -> str:
    return urlsplit(url).path


def fields_of(message) -> dict[str, str]:
    return {field["name"]: field["value"] for field in message["embeds"][0]["fields"]}


async def generate(fake_discord, prompt, *, cast=None, refs=(), channel_id=None, **options):
    given = {"prompt": prompt, **options}
    if cast is not None:
        given["cast"] = cast
    return await fake_discord.invoke(
        "r2v generate",
        given,
        attachments={f"ref{n}": ref for n, ref in enumerate(refs, start=1)} or None,
        channel_id=channel_id,
    )


async def cast_member(bot, fake_discord, name):
    member = await bot.store.cast_member(fake_discord.guild_id, name)
    assert member is not None
    return member


async def test_two_members_and_an_attachment_go_in_that_order_with_the_prompt_rewritten(
    bot, fake_discord, fake_api
):
    await add(fake_discord, "Mia", image(fake_discord))
    await add(fake_discord, "Robot", clip(fake_discord))
    ref1 = png(fake_discord, "dog.png")

    interaction = await generate(
        fake_discord,
        "Mia hands Robot the cup character1 holds",
        cast="mia, ROBOT",
        refs=[ref1],
        negative_prompt="no Mia twins",
    )
    status = await interaction.wait_public()

    [submit] = fake_api.submits
    sent = submit.json["input"]
    assert sent["prompt"] == "character1 hands character2 the cup character3 holds"
    assert sent["negative_prompt"] == "no character1 twins"
    mia = await cast_member(bot, fake_discord, "Mia")
    robot = await cast_member(bot, fake_discord, "Robot")
    urls = sent["reference_urls"]
    assert [path_of(u) for u in urls] == [
        path_of(mia.copy.url),
        path_of(robot.copy.url),
        path_of(ref1["url"]),
    ]
    assert [await status_of(u) for u in urls[:2]] == [200, 200]
    # The member sees the prompt that was sent and which character is whom.
    assert status["embeds"][0]["description"] == sent["prompt"]
    mapping = fields_of(status)["References"]
    assert "**character1** → 🎭 cast `Mia`" in mapping
    assert "**character2** → 🎭 cast `Robot`" in mapping
    assert "**character3** → ref1 `dog.png`" in mapping


async def test_a_cast_a_month_later_submits_links_signed_now(bot, fake_discord, fake_api):
    await add(fake_discord, "Mia", image(fake_discord))
    member = await cast_member(bot, fake_discord, "Mia")
    assert await status_of(member.copy.url) == 200
    fake_discord.advance(days=30)
    assert await status_of(member.copy.url) == 404, "the link the bot got when it was added"

    interaction = await generate(fake_discord, "Mia waves", cast="Mia")
    await interaction.wait_public()

    [url] = fake_api.submits[0].json["input"]["reference_urls"]
    assert await status_of(url) == 200
    assert fake_api.submits[0].json["input"]["prompt"] == "character1 waves"
    assert len(fake_discord.messages()) == 2, "the copy and the status: nothing uploaded again"


async def test_a_deleted_copy_is_uploaded_again_where_the_cast_is_used(
    bot, fake_discord, fake_api, config
):
    await add(fake_discord, "Mia", image(fake_discord))
    member = await cast_member(bot, fake_discord, "Mia")
    fake_discord.delete_message(member.copy.message_id)  # a moderator tidied up
    elsewhere = fake_discord.channel_ids[1]

    interaction = await generate(fake_discord, "Mia waves", cast="Mia", channel_id=elsewhere)
    await interaction.wait_public()

    again, _status = fake_discord.messages(elsewhere)
    assert "A new copy of the cast member **Mia**" in again["content"]
    [url] = fake_api.submits[0].json["input"]["reference_urls"]
    assert path_of(url) == path_of(again["attachments"][0]["url"])
    assert await status_of(url) == 200
    moved = await cast_member(bot, fake_discord, "Mia")
    assert moved.copy.message_id == int(again["id"]), "the new copy serves the next use"

    fake_discord.delete_message(moved.copy.message_id)
    (config.cast.cast_dir / str(fake_discord.guild_id) / moved.kept_name).unlink()
    lost = await generate(fake_discord, "Mia waves", cast="Mia")
    assert "no longer kept by the bot" in (await lost.wait_private())["content"]
    assert len(fake_api.submits) == 1


async def test_every_problem_counts_the_cast_and_is_said_before_any_link_is_asked(
    bot, fake_discord, fake_api
):
    await add(fake_discord, "Mia", image(fake_discord))
    await add(fake_discord, "Walker", clip(fake_discord))
    member = await cast_member(bot, fake_discord, "Mia")
    before = len(fake_discord.requests)

    refs = [png(fake_discord, f"p{n}.png") for n in range(4)]
    refused = await generate(
        fake_discord, "Mia waves at character5", cast="Mia, Walker, Ghost", refs=refs
    )
    text = (await refused.wait_private())["content"]

    assert text.startswith("**Nothing was submitted.**")
    assert "This server's cast has no `Ghost`" in text
    assert "2 cast members and 4 other references make 6" in text
    assert "names character5, but with `cast:`" in text and "character1–character4" in text
    assert fake_api.submits == []
    copy_reads = [
        r for r in fake_discord.requests[before:] if str(member.copy.message_id) in r.path
    ]
    assert copy_reads == [], "no link is fetched for a request that is refused"


async def test_with_only_the_cast_a_characterN_names_nothing(bot, fake_discord, fake_api):
    await add(fake_discord, "Mia", image(fake_discord))
    refused = await generate(fake_discord, "character1 waves", cast="Mia")
    text = (await refused.wait_private())["content"]
    assert "you gave none of your own" in text and "Call cast members by their names" in text
    assert fake_api.submits == []


async def test_a_cast_name_the_prompt_uses_unchosen_is_named_in_a_notice(
    bot, fake_discord, fake_api
):
    await add(fake_discord, "Mia", image(fake_discord))
    await add(fake_discord, "Robot", image(fake_discord, "robot.png"))

    chosen = await generate(fake_discord, "Mia waves at Robot", cast="Mia")
    notes = fields_of(await chosen.wait_public())["Notes"]
    assert "mentions `Robot` from this server's cast, but `cast:` does not choose it" in notes
    assert "`Mia`" not in notes
    assert fake_api.submits[0].json["input"]["prompt"] == "character1 waves at Robot"


async def test_the_cast_option_completes_names_as_the_member_types(bot, fake_discord):
    for name in ("Mia", "Mila", "Robot"):
        await add(fake_discord, name, image(fake_discord))

    typing = await fake_discord.invoke(
        "r2v generate", {"prompt": "x", "cast": "robot, mi"}, focused="cast"
    )

    choices = (await typing.wait_response())["json"]["data"]["choices"]
    assert [c["value"] for c in choices] == ["robot, Mia", "robot, Mila"]


async def test_reroll_and_continue_of_a_cast_task_a_month_later_get_fresh_links(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05)
    await add(fake_discord, "Mia", image(fake_discord))
    dog = png(fake_discord, "dog.png")
    interaction = await generate(fake_discord, "Mia walks character1", cast="Mia", refs=[dog])
    await interaction.wait_public()
    first = fake_api.submits[0].task_id
    result = await result_of(fake_discord, first)
    member = await cast_member(bot, fake_discord, "Mia")
    fake_discord.advance(days=30)
    fake_discord.delete_message(member.copy.message_id)

    click = await fake_discord.click(result["id"], f"r2v:reroll:{first}", user=interaction.user)
    await click.wait_public()

    rerolled = fake_api.submits[1].json["input"]
    assert rerolled["prompt"] == "character1 walks character2"
    again = next(m for m in fake_discord.messages() if "A new copy" in (m["content"] or ""))
    mia_url, dog_url = rerolled["reference_urls"]
    assert path_of(mia_url) == path_of(again["attachments"][0]["url"])
    assert path_of(dog_url) == path_of(dog["url"]) and dog_url != dog["url"]
    assert [await status_of(mia_url), await status_of(dog_url)] == [200, 200]

    # The next shot may call the cast member it carries by name: Mia is character2 there.
    click = await fake_discord.click(result["id"], f"r2v:continue:{first}", user=interaction.user)
    await click.wait_response()
    shot = await fake_discord.submit_modal(
        click, {"prompt": "Mia runs after character1"}, user=interaction.user
    )
    await shot.wait_public()
    continued = fake_api.submits[2].json["input"]
    assert continued["prompt"] == "character2 runs after character1"
    assert await status_of(continued["reference_urls"][1]) == 200
