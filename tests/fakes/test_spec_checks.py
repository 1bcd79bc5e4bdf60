"""The fake checks every exchange against Discord's OpenAPI spec, as real Discord would."""

from __future__ import annotations

import aiohttp
import discord
import pytest
from discord import app_commands

from fakes.fake_discord import FakeDiscord, run_bot, spec

LONG_LABEL = "L" * 46  # Discord's limit is 45


class LongLabelModal(discord.ui.Modal, title="Too long"):
    text: discord.ui.TextInput[LongLabelModal] = discord.ui.TextInput(
        label=LONG_LABEL, custom_id="text"
    )


def make_bot(fake: FakeDiscord, errors: list[Exception]) -> discord.Client:
    class SpecBot(discord.Client):
        def __init__(self) -> None:
            super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
            self.tree = app_commands.CommandTree(self)

        async def setup_hook(self) -> None:
            guild = discord.Object(fake.guild_id)

            async def form(interaction: discord.Interaction) -> None:
                try:
                    await interaction.response.send_modal(LongLabelModal())
                except discord.HTTPException as exc:
                    errors.append(exc)

            async def mention(interaction: discord.Interaction) -> None:
                # discord.py sends these user ids as JSON integers; Discord accepts them.
                who = discord.AllowedMentions(
                    users=[discord.Object(int(fake.default_user["user"]["id"]))]
                )
                await interaction.response.send_message("hi", allowed_mentions=who)

            self.tree.add_command(
                app_commands.Command(name="form", description="Opens a modal", callback=form),
                guild=guild,
            )
            self.tree.add_command(
                app_commands.Command(name="mention", description="Mentions", callback=mention),
                guild=guild,
            )
            await self.tree.sync(guild=guild)

    return SpecBot()


async def test_a_46_character_text_input_label_is_rejected_like_discord_does(
    fake: FakeDiscord,
) -> None:
    errors: list[Exception] = []
    async with run_bot(make_bot(fake, errors), fake):
        it = await fake.invoke("form", {})
        response = await it.wait_response()
        await fake.wait_for(lambda: errors, what="the bot to see the 400")
    assert response["status"] == 400 and not it.acknowledged
    assert response["error"]["code"] == 50035
    assert response["error"]["message"] == "Invalid Form Body"
    row = response["error"]["errors"]["data"]["components"]["0"]
    label = row["component"]["label"] if "component" in row else row["components"]["0"]["label"]
    assert label["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    [error] = errors
    assert isinstance(error, discord.HTTPException) and error.code == 50035
    [violation] = fake.take_violations()
    assert violation.kind == "request" and violation.operation == "create_interaction_response"
    assert "label: BASE_TYPE_MAX_LENGTH" in violation.errors[0]


async def test_integer_snowflakes_from_discord_py_are_accepted(fake: FakeDiscord) -> None:
    async with run_bot(make_bot(fake, []), fake):
        it = await fake.invoke("mention", {})
        response = await it.wait_response()
    assert response["status"] == 200
    assert isinstance(response["json"]["data"]["allowed_mentions"]["users"][0], int)
    assert fake.violations == []


async def test_an_answer_that_breaks_the_spec_is_recorded_as_a_fake_bug(fake: FakeDiscord) -> None:
    posted = fake.post_user_message(None, "hello")
    posted["author"] = {"id": posted["author"]["id"]}  # a user without username, flags, ...
    url = f"{fake.api_base}/channels/{fake.channel_id}/messages/{posted['id']}"
    headers = {"Authorization": f"Bot {fake.bot_token}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as resp:
        assert resp.status == 200
    [violation] = fake.take_violations()
    assert violation.kind == "response" and violation.operation == "get_message"
    assert "author.username: BASE_TYPE_REQUIRED This field is required" in violation.errors


def test_errors_nest_by_field_path_as_discord_sends_them() -> None:
    op = spec.find_operation("POST", "/channels/1/messages")
    assert op is not None and op.operation_id == "create_message"
    body = {
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "label": "x" * 81, "custom_id": "a"}],
            }
        ]
    }
    errors = spec.validate_request(op, "application/json", body)
    assert [e.dotted for e in errors] == ["components.0.components.0.label"]
    tree = spec.invalid_form_body(errors)["errors"]
    assert tree["components"]["0"]["components"]["0"]["label"]["_errors"][0]["code"] == (
        "BASE_TYPE_MAX_LENGTH"
    )


def test_discord_limits_stricter_than_the_spec() -> None:
    op = spec.find_operation("POST", "/channels/1/messages")
    assert op is not None
    too_long = spec.validate_request(op, "application/json", {"content": "x" * 2001})
    assert [(e.dotted, e.code) for e in too_long] == [("content", "BASE_TYPE_MAX_LENGTH")]
    assert spec.validate_request(op, "application/json", {"content": "x" * 2000}) == []


async def test_without_spec_checks_discords_own_limits_still_hold() -> None:
    async with FakeDiscord(check_spec=False) as fake:
        url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
        headers = {"Authorization": f"Bot {fake.bot_token}"}
        bad_type = {"content": "ok", "tts": "not a boolean"}
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=bad_type, headers=headers) as resp:
                assert resp.status == 200  # the schema is not checked
            async with session.post(url, json={"content": "x" * 2001}, headers=headers) as resp:
                assert resp.status == 400 and (await resp.json())["code"] == 50035
        assert [v.kind for v in fake.take_violations()] == ["request"]


@pytest.mark.parametrize(
    ("components", "field", "code"),
    [
        ([{"type": 2, "style": 1, "label": "no id"}], "custom_id", "BASE_TYPE_REQUIRED"),
        ([{"type": 2, "style": 5, "label": "no url"}], "url", "BASE_TYPE_REQUIRED"),
        (
            [{"type": 2, "style": 5, "label": "x", "url": "https://a.example", "custom_id": "c"}],
            "custom_id",
            "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
        ),
    ],
)
def test_button_rules_the_spec_cannot_express(components, field, code) -> None:
    op = spec.find_operation("POST", "/channels/1/messages")
    assert op is not None
    errors = spec.validate_request(
        op, "application/json", {"components": [{"type": 1, "components": components}]}
    )
    assert [(e.dotted, e.code) for e in errors] == [(f"components.0.components.0.{field}", code)]


def test_custom_ids_must_be_unique_in_a_message() -> None:
    op = spec.find_operation("POST", "/channels/1/messages")
    assert op is not None
    twice = [{"type": 2, "style": 1, "label": "a", "custom_id": "same"}] * 2
    errors = spec.validate_request(
        op, "application/json", {"components": [{"type": 1, "components": twice}]}
    )
    assert [(e.dotted, e.code) for e in errors] == [
        ("components.0.components.1.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED")
    ]


async def test_refusals_of_the_handlers_are_request_violations_too(fake: FakeDiscord) -> None:
    url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
    headers = {"Authorization": f"Bot {fake.bot_token}"}
    reply_to_nothing = {"content": "x", "message_reference": {"message_id": "1"}}
    async with aiohttp.ClientSession() as session:
        for body, code in (({"content": ""}, 50006), (reply_to_nothing, 50035)):
            async with session.post(url, json=body, headers=headers) as resp:
                assert resp.status == 400 and (await resp.json())["code"] == code
    empty, dangling = fake.take_violations()
    assert empty.errors == ["_root: 50006 Cannot send an empty message"]
    assert dangling.errors[0].startswith("message_reference: MESSAGE_REFERENCE_UNKNOWN_MESSAGE")
