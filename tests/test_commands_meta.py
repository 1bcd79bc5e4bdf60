"""Every command the bot registers: names unique, descriptions present and within Discord's
limits, options described. Checked on the real command tree, as it is synced."""

from __future__ import annotations

from discord import app_commands


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
        "r2v-admin spend",
        "r2v-admin untrack",
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
    assert [m.name for m in menus] == ["Use as r2v reference"]


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
