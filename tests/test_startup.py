"""The first run works or says why: where commands are registered, a server that refuses them,
the online and invite lines, a lost gateway connection, and nothing secret sent to Discord."""

from __future__ import annotations

import io
import json
import logging
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.config import DiscordSettings
from bot.logging_setup import tune_discord_logging
from bot.operator_text import no_member_budget, store_unusable
from bot.policy import LimitBook, LimitSettings
from bot.redaction import Redactor
from bot.ui.redaction import redact_form
from fakes.fake_bailian import Reply, TaskPlan
from tests.common import png
from tests.conftest import eventually, make_config, running

# View Channel, Send Messages, Send Messages in Threads, Embed Links, Attach Files, Read Message
# History: 1<<10 | 1<<11 | 1<<38 | 1<<14 | 1<<15 | 1<<16.
INVITE_PERMISSIONS = 274878024704
UNKNOWN_GUILD = 1100000000000000999


def with_discord(tmp_path, fake_api, fake_discord, **settings):
    base = make_config(tmp_path, fake_api, fake_discord)
    return replace(base, discord=replace(base.discord, **settings))


def lines_with(caplog, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


async def wait_logged(caplog, text: str) -> list[logging.LogRecord]:
    async def found() -> list[logging.LogRecord]:
        return lines_with(caplog, text)

    return await eventually(found, what=f"a log line with {text!r}")


async def test_without_guild_ids_the_commands_are_registered_globally_and_the_log_says_so(
    tmp_path, fake_api, fake_discord, caplog
):
    caplog.set_level(logging.INFO)
    config = with_discord(tmp_path, fake_api, fake_discord, guild_ids=())
    async with running(config, fake_discord):
        registered = fake_discord.registered_commands
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 waves"}, attachments={"ref1": png(fake_discord)}
        )
        await interaction.wait_followup()

    assert registered and all("guild_id" not in command for command in registered)
    said = lines_with(caplog, "no DISCORD_GUILD_IDS set, so the commands are registered globally")
    assert len(said) == 1


async def test_sync_global_off_without_guild_ids_warns_once_naming_the_variable(
    tmp_path, fake_api, fake_discord, caplog
):
    config = with_discord(tmp_path, fake_api, fake_discord, guild_ids=(), sync_global=False)
    async with running(config, fake_discord):
        pass

    assert fake_discord.registered_commands == []
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name != "discord.client"
    ]
    # The tests' limits set no member budget, which start-up warns of too (tested below).
    assert len(warnings) == 2 and "DISCORD_GUILD_IDS" in warnings[1], warnings
    assert warnings[0].startswith("no per-member daily budget")


async def test_a_server_that_refuses_the_commands_is_named_and_the_others_get_them(
    tmp_path, fake_api, fake_discord, caplog
):
    guilds = (UNKNOWN_GUILD, fake_discord.guild_id)
    config = with_discord(tmp_path, fake_api, fake_discord, guild_ids=guilds)
    async with running(config, fake_discord) as bot:
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 waves"}, attachments={"ref1": png(fake_discord)}
        )
        answer = await interaction.wait_public()
        assert not bot.is_closed()

    assert fake_api.submits[0].task_id in str(answer["embeds"])
    registered = fake_discord.registered_commands
    assert registered and {c["guild_id"] for c in registered} == {str(fake_discord.guild_id)}
    refused = [r for r in caplog.records if str(UNKNOWN_GUILD) in r.getMessage()]
    assert len(refused) == 1
    assert refused[0].levelno == logging.WARNING
    assert "DISCORD_GUILD_IDS" in refused[0].getMessage()
    assert "403" in refused[0].getMessage()


async def test_the_bot_announces_itself_once_with_an_invite_link(config, fake_discord, caplog):
    caplog.set_level(logging.INFO)
    async with running(config, fake_discord):
        await wait_logged(caplog, "invite the bot")

    (online,) = lines_with(caplog, "online as")
    assert online.getMessage() == (
        f"online as r2v-bot in 1 server(s); commands registered in server {fake_discord.guild_id}."
    )
    (invite,) = lines_with(caplog, "invite the bot")
    url = invite.getMessage().split()[-1]
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [str(fake_discord.app_id)]
    assert query["permissions"] == [str(INVITE_PERMISSIONS)]
    assert query["scope"] == ["bot applications.commands"]


@pytest.fixture
def discord_logging() -> Iterator[None]:
    """The bot's own tuning of discord.py's loggers, undone afterwards."""
    loggers = [logging.getLogger(name) for name in ("discord", "discord.gateway", "discord.client")]
    saved = [(logger.level, list(logger.filters)) for logger in loggers]
    tune_discord_logging("INFO")
    yield
    for logger, (level, filters) in zip(loggers, saved, strict=True):
        logger.setLevel(level)
        logger.filters[:] = filters


async def test_a_lost_gateway_connection_shows_as_one_warning_and_the_bot_resumes(
    config, fake_discord, caplog, discord_logging
):
    async with running(config, fake_discord):
        caplog.clear()
        await fake_discord.drop_connection(4000)
        await fake_discord.wait_for(
            lambda: fake_discord.gateway_connections == 2 and fake_discord.connected,
            10,
            what="the bot to reconnect",
        )
        await wait_logged(caplog, "RESUMED")

    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [
        "Websocket closed with 4000, attempting a reconnect."
    ]
    assert not [
        r for r in caplog.records if r.name == "discord.gateway" and r.levelno < logging.INFO
    ]


def test_discords_reconnect_traceback_becomes_one_warning_line(caplog, discord_logging):
    # What discord.py's Client.connect logs when the gateway cannot be reached (client.py).
    try:
        raise ConnectionResetError("Connection reset by peer")
    except ConnectionResetError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 1.5)

    (record,) = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage() == (
        "lost the connection to Discord (ConnectionResetError: Connection reset by peer); "
        "reconnecting in 1.50s"
    )


# --- nothing secret reaches Discord --------------------------------------------------------------


def everything_sent(fake_discord) -> str:
    """Every body and file name the bot sent to the fake Discord, as one text."""
    return json.dumps([(r.path, r.json, r.files) for r in fake_discord.requests])


async def test_an_api_error_echoing_the_key_never_reaches_discord(bot, fake_discord, fake_api):
    echo = f"Incorrect API key provided: {fake_api.api_key}. Check your key."
    fake_api.script_submit(Reply(400, "InvalidParameter", echo))
    interaction = await fake_discord.invoke(
        "r2v generate", {"prompt": "character1 waves"}, attachments={"ref1": png(fake_discord)}
    )
    answer = await interaction.wait_followup()

    assert "Incorrect API key provided: [redacted]" in answer["content"], "the rest is shown"
    assert fake_api.api_key not in everything_sent(fake_discord)


async def test_a_task_failure_echoing_the_secrets_never_reaches_discord(
    bot, fake_discord, fake_api
):
    leak = f"upstream said: key {fake_api.api_key}, token {fake_discord.bot_token}"
    fake_api.default_plan = TaskPlan(
        pending_s=0.05, running_s=0.05, outcome="FAILED", code="InternalError", message=leak
    )
    interaction = await fake_discord.invoke(
        "r2v generate", {"prompt": "character1 waves"}, attachments={"ref1": png(fake_discord)}
    )
    await interaction.wait_followup()
    await fake_discord.wait_for(
        lambda: "upstream said: key [redacted], token [redacted]" in everything_sent(fake_discord),
        10,
        what="the failure to be shown",
    )

    sent = everything_sent(fake_discord)
    assert fake_api.api_key not in sent and fake_discord.bot_token not in sent


# --- database problems, worded -------------------------------------------------------------------


def test_a_read_only_database_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    sqlite3.connect(path).close()
    with (
        sqlite3.connect(f"file:{path}?mode=ro", uri=True) as read_only,
        pytest.raises(sqlite3.Error) as caught,
    ):
        read_only.execute("CREATE TABLE t (x)")

    sentence = store_unusable(path, caught.value)

    assert str(path) in sentence and "writable" in sentence and "R2V_DB_PATH" in sentence


def test_discord_settings_hide_the_token():
    assert "secret-token" not in repr(DiscordSettings(token="secret-token"))


def test_a_multipart_body_has_its_json_and_file_names_redacted_and_its_data_untouched():
    redactor = Redactor(["sk-secret-key"])
    data = io.BytesIO(b"sk-secret-key inside a video is not text the bot wrote")
    form: list[dict[str, Any]] = [
        {"name": "payload_json", "value": json.dumps({"content": "key sk-secret-key", "n": 1})},
        {"name": "files[0]", "value": data, "filename": "sk-secret-key.mp4"},
    ]

    payload, file = redact_form(form, redactor)

    assert json.loads(payload["value"]) == {"content": "key [redacted]", "n": 1}
    assert file["filename"] == "[redacted].mp4" and file["value"] is data


# --- scripts/run-bot -----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def fake_checkout(root: Path) -> Path:
    """The script in a checkout whose .venv records what is run instead of installing."""
    (root / "scripts").mkdir()
    shutil.copy2(REPO / "scripts" / "run-bot", root / "scripts" / "run-bot")
    (root / "pyproject.toml").write_text('[project]\nname = "r2v-bot"\n')
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "r2v-bot"):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "$(dirname "$0")/../../calls"\n')
        tool.chmod(0o755)
    return root


def run_bot_script(root: Path) -> list[str]:
    calls = root / "calls"
    calls.unlink(missing_ok=True)
    done = subprocess.run([root / "scripts" / "run-bot", "--flag"], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return calls.read_text().splitlines()


def test_run_bot_installs_only_when_pyproject_changed(tmp_path):
    root = fake_checkout(tmp_path)
    # Every start asks the venv's python whether it runs and has pip (tests/test_run_bot.py:
    # a venv without is made again); that is no install and needs no network.
    probe = "python -c import pip"
    install = "python -m pip install --quiet --disable-pip-version-check -e ."

    assert run_bot_script(root) == [probe, install, "r2v-bot --flag"], "first start installs"
    assert run_bot_script(root) == [probe, "r2v-bot --flag"], "then starts without pip"
    with (root / "pyproject.toml").open("a") as pyproject:
        pyproject.write('dependencies = ["aiohttp>=3.10,<4"]\n')
    assert run_bot_script(root) == [probe, install, "r2v-bot --flag"], "a changed pyproject"
    assert run_bot_script(root) == [probe, "r2v-bot --flag"]


@pytest.mark.parametrize(
    ("default", "by_guild", "says"),
    [
        ({}, {}, "no per-member daily budget by default (R2V_USER_DAILY_SECONDS and "),
        ({"user_daily_seconds": 600}, {}, None),
        ({"user_daily_amount": Decimal(20)}, {}, None),
        # A server's R2V_GUILD_LIMITS may set the default's budget back to 0.
        (
            {"user_daily_seconds": 600},
            {7: {"user_daily_seconds": 0}, 8: {}},
            "no per-member daily budget in server(s) 7 (R2V_GUILD_LIMITS sets neither)",
        ),
        ({}, {7: {"user_daily_seconds": 60}}, "by default (R2V_USER_DAILY_SECONDS and "),
        ({}, {7: {"user_daily_seconds": 60}}, ", except in the servers R2V_GUILD_LIMITS gives"),
        ({}, {9: {}, 7: {}}, "nor in server(s) 7, 9 (R2V_GUILD_LIMITS)"),
        ({"user_daily_amount": Decimal(1)}, {7: {"user_daily_amount": Decimal(2)}}, None),
        # Other limits are no per-member daily budget.
        ({"guild_daily_seconds": 600, "max_active_per_user": 1}, {}, "by default"),
    ],
)
def test_the_start_up_warns_when_a_member_may_spend_without_a_daily_budget(default, by_guild, says):
    book = LimitBook(
        LimitSettings(**default),
        MappingProxyType(
            {guild: replace(LimitSettings(**default), **over) for guild, over in by_guild.items()}
        ),
    )
    warning = no_member_budget(book)
    if says is None:
        assert warning is None
    else:
        assert warning is not None and says in warning
        assert warning.endswith(
            "set R2V_USER_DAILY_SECONDS or R2V_USER_DAILY_BUDGET (README, Running it for a team)."
        )
