"""Every command the bot registers, and every modal and button it can show: names unique,
descriptions present, and every name, description, choice, label, placeholder and custom_id
within the limits Discord's own OpenAPI spec sets (read from the spec, not copied by hand), in
English and in the zh-CN localisations synced beside it."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.cast.service import Gallery
from bot.cogs.cast import SaveToCastModal
from bot.cogs.reference_menu import PromptModal
from bot.generation.files import AttachmentInput
from bot.generation.request import GenerationRequest
from bot.messages.catalog import LOCALES
from bot.store.records import Ending, Origin, TaskRecord
from bot.ui.cast_views import gallery_message
from bot.ui.confirm import ConfirmView
from bot.ui.edit_modal import EditModal
from bot.ui.views import ContinueModal, result_buttons, status_buttons
from fakes.fake_discord import spec
from fakes.fake_discord.spec import CUSTOM_ID_MAX, TEXT_INPUT_LABEL_MAX

# The option schema for each option type, as the spec names them.
OPTION_SCHEMAS = {
    1: "ApplicationCommandSubcommandOption",
    2: "ApplicationCommandSubcommandGroupOption",
    3: "ApplicationCommandStringOption",
    4: "ApplicationCommandIntegerOption",
    5: "ApplicationCommandBooleanOption",
    6: "ApplicationCommandUserOption",
    7: "ApplicationCommandChannelOption",
    8: "ApplicationCommandRoleOption",
    9: "ApplicationCommandMentionableOption",
    10: "ApplicationCommandNumberOption",
    11: "ApplicationCommandAttachmentOption",
}
CHOICE_SCHEMAS = {
    3: "ApplicationCommandOptionStringChoice",
    4: "ApplicationCommandOptionIntegerChoice",
    10: "ApplicationCommandOptionNumberChoice",
}
# The longest task id the buttons' custom_id template accepts.
LONGEST_TASK_ID = "t" * 80


def walk(commands):
    for command in commands:
        yield command
        if isinstance(command, app_commands.Group):
            yield from walk(command.commands)


async def test_command_metadata_is_complete(bot):
    # Defined globally; copied to the configured guilds when synced.
    tree = bot.tree.get_commands(guild=None)
    names = [(c.qualified_name, type(c).__name__) for c in walk(tree)]
    assert len(names) == len(set(names)), "no duplicate command names"
    slash = [c for c in walk(tree) if isinstance(c, app_commands.Command | app_commands.Group)]
    assert {c.qualified_name for c in slash} >= {
        "r2v generate",
        "r2v status",
        "r2v history",
        "r2v quota",
        "r2v story",
        "r2v-admin spend",
        "r2v-admin untrack",
        "r2v-admin settings",
        "r2v-admin set",
        "r2v cast add",
        "r2v cast list",
        "r2v cast show",
        "r2v cast rename",
        "r2v cast remove",
    }
    for command in slash:
        assert command.description and command.description != "…", command.qualified_name
        assert len(command.description) <= 100, command.qualified_name
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description and parameter.description != "…", (
                    f"{command.qualified_name} {parameter.name}"
                )
                assert len(parameter.description) <= 100
    menus = [c for c in tree if isinstance(c, app_commands.ContextMenu)]
    assert [m.name for m in menus] == ["Use as r2v reference", "Save to r2v cast"]


async def test_the_synced_generate_command_offers_the_documented_choices(bot, fake_discord):
    r2v = next(c for c in fake_discord.registered_commands if c["name"] == "r2v")
    generate = next(o for o in r2v["options"] if o["name"] == "generate")
    options = {o["name"]: o for o in generate["options"]}
    assert list(options)[:1] == ["prompt"] and options["prompt"]["required"]
    assert [c["value"] for c in options["size"]["choices"]] == [
        "1280*720",
        "720*1280",
        "960*960",
        "1088*832",
        "832*1088",
        "1920*1080",
        "1080*1920",
        "1440*1440",
        "1632*1248",
        "1248*1632",
    ]
    assert "1080P" in options["size"]["choices"][5]["name"]
    assert [c["value"] for c in options["model"]["choices"]] == ["wan2.6-r2v-flash", "wan2.6-r2v"]
    assert (options["duration"]["min_value"], options["duration"]["max_value"]) == (2, 10)
    assert options["seed"]["max_value"] == 2147483647
    assert options["prompt"]["max_length"] == 1500
    assert options["negative_prompt"]["max_length"] == 500
    assert [options[f"ref{n}"]["type"] for n in range(1, 6)] == [11] * 5


def within(schema: str, prop: str, value: Any, where: str) -> None:
    """`value` keeps the spec's minLength/maxLength/pattern for `schema`.`prop`."""
    rules = spec.property_rules(schema, prop)
    assert isinstance(value, str), f"{where}: {prop} is {value!r}"
    assert rules.get("minLength", 0) <= len(value) <= rules.get("maxLength", 10**9), (
        f"{where}: {prop} {value!r} breaks {schema}.{prop} {rules}"
    )
    if "pattern" in rules:
        assert re.search(rules["pattern"], value), f"{where}: {prop} {value!r} vs {rules}"


def chinese(entry: dict[str, Any], prop: str, where: str) -> str:
    """The zh-CN localisation of `prop` that the bot synced for a command, option or choice."""
    localized = entry.get(f"{prop}_localizations") or {}
    assert "zh-CN" in localized, f"{where}: no zh-CN {prop}"
    text: str = localized["zh-CN"]
    return text


def check_options(options: list[dict[str, Any]], where: str) -> None:
    for option in options:
        schema = OPTION_SCHEMAS[option["type"]]
        here = f"{where} {option['name']}"
        within(schema, "name", option["name"], here)
        within(schema, "description", option["description"], here)
        within(schema, "description", chinese(option, "description", here), here + " zh-CN")
        assert option["name"] == option["name"].lower(), f"{here}: Discord wants lowercase names"
        for choice in option.get("choices") or []:
            within(CHOICE_SCHEMAS[option["type"]], "name", choice["name"], here)
            zh_name = chinese(choice, "name", here)
            within(CHOICE_SCHEMAS[option["type"]], "name", zh_name, here + " zh-CN")
            if isinstance(choice["value"], str):
                within(CHOICE_SCHEMAS[option["type"]], "value", choice["value"], here)
        check_options(option.get("options") or [], here)


async def test_every_synced_name_description_and_choice_keeps_the_specs_limits(
    bot, fake_discord
) -> None:
    synced = [
        r.json for r in fake_discord.requests if r.method == "PUT" and r.path.endswith("/commands")
    ]
    assert synced and all(r for r in synced), "the bot synced its commands"
    for commands in synced:
        for command in commands:
            assert spec.schema_errors("ApplicationCommandUpdateRequest", command) == []
            within("ApplicationCommandUpdateRequest", "name", command["name"], command["name"])
            if command.get("type", 1) == 3:
                # Context menus have no description; their names are localised instead.
                zh_name = chinese(command, "name", command["name"])
                within("ApplicationCommandUpdateRequest", "name", zh_name, command["name"])
            if command.get("type", 1) == 1:
                within(
                    "ApplicationCommandUpdateRequest",
                    "description",
                    command["description"],
                    command["name"],
                )
                within(
                    "ApplicationCommandUpdateRequest",
                    "description",
                    chinese(command, "description", command["name"]),
                    command["name"] + " zh-CN",
                )
                check_options(command.get("options") or [], command["name"])


def modal_inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    inputs: list[dict[str, Any]] = []
    for row in modal["components"]:
        inputs.extend(row.get("components") or [])
        if "component" in row:
            inputs.append({**row["component"], "label": row["label"]})
    return inputs


def check_modal(modal: discord.ui.Modal) -> None:
    data = modal.to_dict()
    assert spec.schema_errors("ModalInteractionCallbackRequestData", data) == []
    within("ModalInteractionCallbackRequestData", "title", data["title"], "modal")
    within("ModalInteractionCallbackRequestData", "custom_id", data["custom_id"], "modal")
    inputs = modal_inputs(data)
    assert inputs
    for text_input in inputs:
        where = f"{data['title']}: {text_input['custom_id']}"
        within("TextInputComponentForModalRequest", "custom_id", text_input["custom_id"], where)
        within("TextInputComponentForModalRequest", "label", text_input["label"], where)
        assert len(text_input["label"]) <= TEXT_INPUT_LABEL_MAX, where
        if text_input.get("placeholder") is not None:
            within(
                "TextInputComponentForModalRequest", "placeholder", text_input["placeholder"], where
            )
        if text_input.get("value") is not None:
            within("TextInputComponentForModalRequest", "value", text_input["value"], where)


async def test_every_modal_keeps_the_specs_limits_with_the_longest_inputs() -> None:
    long_name = "n" * 1024 + ".png"
    files = tuple(
        AttachmentInput(n, long_name, "image/png", 1, "https://cdn.example/x") for n in range(1, 6)
    )
    for locale in LOCALES:
        check_modal(PromptModal(locale, None, files))  # type: ignore[arg-type]
        check_modal(EditModal(locale, None, a_task("p" * 5000, "n" * 5000)))  # type: ignore[arg-type]
        check_modal(EditModal(locale, None, a_task("short", None)))  # type: ignore[arg-type]
        video = "https://cdn.example/v.mp4"
        check_modal(ContinueModal(locale, None, a_task("short", None), video))  # type: ignore[arg-type]
        check_modal(SaveToCastModal(locale, None, list(files)))  # type: ignore[arg-type]
        check_modal(SaveToCastModal(locale, None, list(files[:1])))  # type: ignore[arg-type]


def a_task(prompt: str, negative_prompt: str | None) -> TaskRecord:
    request = GenerationRequest(
        model="wan2.6-r2v-flash",
        prompt=prompt,
        references=(),
        size="1280*720",
        duration=5,
        negative_prompt=negative_prompt,
    )
    return TaskRecord(LONGEST_TASK_ID, Origin(1, 2, 3), request, created_at=0.0, deadline_at=1.0)


def check_buttons(view: discord.ui.View) -> None:
    rows = view.to_components()
    for row in rows:
        assert spec.schema_errors("ActionRowComponentForMessageRequest", row) == []
        for button in row["components"]:
            where = button.get("label")
            within("ButtonComponentForMessageRequest", "label", button["label"], where)
            within("ButtonComponentForMessageRequest", "custom_id", button["custom_id"], where)
            assert len(button["custom_id"]) <= CUSTOM_ID_MAX, where


async def test_every_button_keeps_the_specs_limits_with_the_longest_task_id() -> None:
    for locale in LOCALES:
        task = a_task("short", None)
        check_buttons(status_buttons(locale, task, can_cancel=True))
        done = replace(task, ending=Ending.SUCCEEDED, finished_at=1.0)
        check_buttons(result_buttons(locale, done))

    async def confirmed(interaction: discord.Interaction) -> None:
        return None

    for locale in LOCALES:
        check_buttons(ConfirmView(confirmed, timeout=60, locale=locale))
        pages = Gallery(members=[], page=999_998, pages=999_999, total=9_999_990, pictures={})
        check_buttons(gallery_message(locale, pages)["view"])


def test_the_checks_catch_what_discord_rejects() -> None:
    """The helpers above fail on values Discord would refuse, so a pass means something."""
    too_long_label = {"type": 4, "custom_id": "x", "style": 1, "label": "L" * 46}
    assert spec.schema_errors("TextInputComponentForModalRequest", too_long_label)
    long_id = {"type": 2, "style": 1, "label": "ok", "custom_id": "c" * 101}
    assert spec.schema_errors("ButtonComponentForMessageRequest", long_id)
    with pytest.raises(AssertionError):
        within("ApplicationCommandUpdateRequest", "name", "n" * 33, "too long")
