"""`/r2v generate` end to end: the real bot against the fake Discord and the fake API."""

from __future__ import annotations

import pytest

from fakes.fake_bailian import Reply
from tests.common import png
from tests.conftest import eventually


async def test_two_attachments_and_a_link_become_exactly_the_documented_request(
    bot, fake_discord, fake_api
):
    ref1 = png(fake_discord, "alice.png")
    ref2 = fake_discord.add_attachment("bob.mp4", "video/mp4", 5_000_000)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {
            "prompt": "character1 hands character2 the cup from character3",
            "links": "https://example.com/refs/cup.webp",
            "model": "wan2.6-r2v-flash",
            "size": "1280*720",
            "duration": 8,
            "shot_type": "multi",
            "seed": 42,
            "audio": False,
            "negative_prompt": "blurry",
        },
        attachments={"ref1": ref1, "ref2": ref2},
    )
    first = await interaction.wait_response()
    assert first["type"] == 5, "the command defers first"
    assert interaction.ephemeral, "the wait and any refusal stay private"
    answer = await interaction.wait_public()
    assert not answer["ephemeral"], "the status is public for the team"

    assert len(fake_api.submits) == 1
    submitted = fake_api.submits[0]
    assert submitted.headers["Authorization"] == f"Bearer {fake_api.api_key}"
    assert submitted.json == {
        "model": "wan2.6-r2v-flash",
        "input": {
            "prompt": "character1 hands character2 the cup from character3",
            "reference_urls": [ref1["url"], ref2["url"], "https://example.com/refs/cup.webp"],
            "negative_prompt": "blurry",
        },
        "parameters": {
            "size": "1280*720",
            "duration": 8,
            "shot_type": "multi",
            "seed": 42,
            "audio": False,
        },
    }
    task_id = submitted.task_id
    embed = answer["embeds"][0]
    shown = str(embed)
    assert task_id in shown
    assert "PENDING" in shown
    assert "character1** → ref1 `alice.png`" in shown
    assert "character2** → ref2 `bob.mp4`" in shown
    assert "character3** → link 1 `cup.webp`" in shown
    assert "up to 1.95 CNY (13 billed s)" in shown, "(8 s + ≤ 5 s of clip) × 0.15 CNY"

    async def status_message_recorded() -> bool:
        record = await bot.store.get(task_id)
        return record is not None and record.status_message_id == int(answer["id"])

    # Recorded right after the message is posted (a write of its own).
    await eventually(status_message_recorded, what="the status message id to be stored")


async def test_a_bad_input_is_refused_privately_and_nothing_is_submitted(
    bot, fake_discord, fake_api
):
    tiny = png(fake_discord, "tiny.png", width=100, height=100)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 waves at character2", "model": "wan2.6-r2v", "audio": False},
        attachments={"ref1": tiny},
    )
    # Privately: deferred at once (the server's settings are read next), then answered.
    text = (await interaction.wait_private())["content"]
    assert interaction.ephemeral
    assert "Nothing was submitted" in text
    assert "100×100 px" in text and "240 px" in text
    assert "character2" in text
    assert "wan2.6-r2v-flash" in text, "audio:false with wan2.6-r2v names the model that can"
    assert fake_api.submits == []


async def test_a_prompt_with_mentions_pings_nobody(bot, fake_discord, fake_api):
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "@everyone @here <@&1234> <@5678> character1 dances"},
        attachments={"ref1": png(fake_discord)},
    )
    answer = await interaction.wait_public()
    assert "@\u200beveryone" in answer["embeds"][0]["description"], "shown, defused"
    pinged = fake_discord.pinged(answer)
    assert pinged == {"everyone": False, "users": set(), "roles": set()}


async def test_an_unnamed_reference_is_a_warning_in_the_reply(bot, fake_discord, fake_api):
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 walks in the rain"},
        attachments={"ref1": png(fake_discord), "ref2": png(fake_discord, "b.png")},
    )
    answer = await interaction.wait_public()
    assert "never names character2" in str(answer["embeds"][0])
    assert len(fake_api.submits) == 1


async def submit_with_api_answer(fake_discord, fake_api, *steps):
    fake_api.script_submit(*steps)
    interaction = await fake_discord.invoke(
        "r2v generate", {"prompt": "character1 smiles"}, attachments={"ref1": png(fake_discord)}
    )
    assert (await interaction.wait_response())["type"] == 5
    answer = await interaction.wait_private()
    return answer["content"] or ""


async def test_a_refused_key_tells_the_user_to_ask_an_admin(bot, fake_discord, fake_api, caplog):
    text = await submit_with_api_answer(
        fake_discord, fake_api, Reply(401, "InvalidApiKey", "Invalid API-key provided.")
    )
    assert "API key is not accepted" in text and "admin" in text
    assert fake_api.api_key not in text
    assert fake_api.api_key not in caplog.text


async def test_no_balance_says_so(bot, fake_discord, fake_api):
    text = await submit_with_api_answer(
        fake_discord, fake_api, Reply(400, "Arrearage", "Access denied, please make sure...")
    )
    assert "out of balance" in text


async def test_invalid_parameter_shows_the_apis_message(bot, fake_discord, fake_api):
    text = await submit_with_api_answer(
        fake_discord, fake_api, Reply(400, "InvalidParameter", "The size is not match the model")
    )
    assert "The size is not match the model" in text


async def test_a_busy_api_is_retried_then_reported_with_a_wait(bot, fake_discord, fake_api):
    busy = Reply(429, "Throttling.RateQuota", "Requests rate limit exceeded", retry_after=30)
    text = await submit_with_api_answer(fake_discord, fake_api, busy)
    assert "busy" in text and "30 s" in text
    assert len(fake_api.submits) == 1, "a Retry-After beyond the cap is reported, not waited out"


@pytest.mark.parametrize("header", ["1e308", "Fri, 31 Dec 9999 23:59:59 GMT", "-7", "soon"])
async def test_any_retry_after_is_data_the_member_reads_a_bounded_wait(
    bot, fake_discord, fake_api, caplog, header
):
    # A hint of 1e308 seconds used to end in decimal.InvalidOperation and "Something went
    # wrong"; now it is "a long while" (an hour at most), and no hint at all is the usual wait.
    fake_api.script_submit(*[Reply(429, "Throttling", "slow down", retry_after=header)] * 4)
    text = await submit_with_api_answer(fake_discord, fake_api)
    assert "busy" in text, text
    wait = int(text.split("try again in ")[1].split(" s")[0])
    assert 0 < wait <= 3600
    assert "Traceback" not in caplog.text


async def test_a_short_429_is_retried_and_the_task_goes_through(bot, fake_discord, fake_api):
    fake_api.script_submit(Reply(429, "Throttling", "slow down", retry_after=0.1))
    interaction = await fake_discord.invoke(
        "r2v generate", {"prompt": "character1 smiles"}, attachments={"ref1": png(fake_discord)}
    )
    answer = await interaction.wait_public()
    assert len(fake_api.submits) == 2
    assert fake_api.submits[1].task_id in str(answer["embeds"][0])


async def test_a_prompt_with_a_masked_link_and_stars_shows_as_typed(bot, fake_discord, fake_api):
    prompt = "character1 waves [free nitro](https://evil.example) at 1920*1080 and 1280*720"
    interaction = await fake_discord.invoke(
        "r2v generate", {"prompt": prompt}, attachments={"ref1": png(fake_discord)}
    )
    description = (await interaction.wait_public())["embeds"][0]["description"]
    assert "\\[free nitro\\](https://evil.example)" in description, "no live masked link"
    assert "[free nitro](" not in description
    assert "1920\\*1080 and 1280\\*720" in description, "no italics"
    assert fake_api.submits[0].json["input"]["prompt"] == prompt, "sent as typed"
