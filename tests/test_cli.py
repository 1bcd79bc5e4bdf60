"""`r2v-bot check`, `status TASK_ID` and `--version`, as an operator runs them, against the
fakes: one redacted log line per finding, and exit codes a script can trust."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import check, status
from bot.version import version
from fakes.fake_bailian import Delay, Reply, TaskPlan
from tests.common import generate
from tests.test_process import CONSOLE_SCRIPT, PYTHON_M_BOT, REPO, bot_env

PYPROJECT_VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture
def cli_config(config, fake_discord):
    """The settings as the operator's .env gives them: Discord's address included."""
    return replace(config, discord=replace(config.discord, api_base=fake_discord.api_base))


async def test_check_accepts_a_good_token_and_key(cli_config):
    lines: list[str] = []
    assert await check(cli_config, lines.append) == 0
    assert len(lines) == 2
    assert lines[0].startswith("Discord token: accepted") and "r2v-bot" in lines[0]
    assert lines[1].startswith("API key: accepted")


async def test_check_names_what_was_refused(cli_config):
    bad_token = replace(cli_config, discord=replace(cli_config.discord, token="not-the-token"))
    lines: list[str] = []
    assert await check(bad_token, lines.append) == 1
    assert lines[0].startswith("Discord token: refused (401)")
    assert lines[1].startswith("API key: accepted")

    bad_key = replace(cli_config, api=replace(cli_config.api, api_key="wrong"))
    lines = []
    assert await check(bad_key, lines.append) == 1
    assert lines[0].startswith("Discord token: accepted")
    assert lines[1].startswith("API key: refused (401)")


async def test_check_tells_a_404_for_the_unknown_task_from_a_refusal(cli_config, fake_api):
    fake_api.unknown_task_reply = "404"
    lines: list[str] = []
    assert await check(cli_config, lines.append) == 0
    assert lines[1].startswith("API key: accepted")


async def test_status_prints_a_tasks_live_status(bot, cli_config, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    lines: list[str] = []
    assert await status(cli_config, task_id, lines.append) == 0
    assert lines[0] == f"task {task_id}: PENDING"
    assert lines[1].startswith("  submitted: ")

    lines = []
    assert (
        await status(
            replace(cli_config, api=replace(cli_config.api, api_key="x")), task_id, lines.append
        )
        == 1
    )
    assert "did not answer usefully" in lines[0]


async def run_cli(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, list[str]]:
    """The console script's exit code and output lines."""
    process = await asyncio.create_subprocess_exec(
        *CONSOLE_SCRIPT,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode().splitlines()


# A log line: "2026-01-29 12:00:00,123 INFO    bot.cli: Discord token: accepted, ..."
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) +([\w.]+): (.*)$"
)


def logged(lines: list[str]) -> list[tuple[str, str]]:
    """(logger, message) of each line; every line must be a formatted log line."""
    parsed = [LOG_LINE.match(line) for line in lines]
    assert all(parsed), "\n".join(lines)
    return [(match.group(2), match.group(3)) for match in parsed if match]


async def test_the_console_script_runs_check(fake_api, fake_discord, tmp_path):
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    code, lines = await run_cli(env, tmp_path, "check")
    assert code == 0, lines
    said = logged(lines)
    assert [(name, text.split(":")[0]) for name, text in said] == [
        ("bot.cli", "Discord token"),
        ("bot.cli", "API key"),
    ]


async def test_check_logs_the_clients_retries_as_redacted_lines(fake_api, fake_discord, tmp_path):
    """A retry line of the API client names the request, formatted like the bot's lines, and
    never the key, even where the proxy's answer echoes it."""
    fake_api.script_query(Reply(503, code="ServiceUnavailable", message=f"key {fake_api.api_key}"))
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    env["LOG_LEVEL"] = "ERROR"  # the command's own findings show all the same
    code, lines = await run_cli(env, tmp_path, "check")
    assert code == 0, lines
    said = logged(lines)
    assert [name for name, _ in said] == ["bot.cli", "bot.api.client", "bot.api.client", "bot.cli"]
    assert said[1][1].startswith("queries to the API failed: ServerError: HTTP 503")
    assert "(GET /task/r2v-bot-check-00000000)" in said[1][1]
    assert said[2][1].startswith("queries to the API succeeded again, after 1 failure(s)")
    assert fake_api.api_key not in "\n".join(lines) and "[redacted]" in said[1][1]


async def test_status_of_a_task_the_api_does_not_know_exits_1(cli_config, fake_api):
    for reply in ("UNKNOWN", "404"):
        fake_api.unknown_task_reply = reply
        lines: list[str] = []
        assert await status(cli_config, "no-such-task", lines.append) == 1, reply
        assert lines == [
            "task no-such-task: the API does not know it (a wrong id, or it ended more than "
            "24 h ago; the bot's own record stays in its store)."
        ]


@pytest.mark.parametrize("command", [PYTHON_M_BOT, CONSOLE_SCRIPT], ids=["python -m", "r2v-bot"])
def test_version_needs_no_settings_and_no_environment(tmp_path, command):
    (tmp_path / ".env").write_text("R2V_DEFAULT_SIZE=not-a-size\n")  # not even read
    done = subprocess.run(
        [*command, "--version"], cwd=tmp_path, env={}, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"r2v-bot {PYPROJECT_VERSION}\n", "")


async def test_the_user_agent_names_the_same_version(bot, fake_discord, fake_api):
    await generate(fake_discord)
    assert fake_api.submits[0].headers["User-Agent"] == f"r2v-bot/{PYPROJECT_VERSION} (+aiohttp)"
    assert version() == PYPROJECT_VERSION


@pytest.mark.parametrize(
    "url",
    [
        "mysql://r2v:pa55-w0rd@db.example.com/r2v",
        "postgresql//r2v:pa55-w0rd@db.example.com/r2v",
        "pa55-w0rd@db.example.com",
    ],
)
async def test_a_malformed_database_url_is_named_without_its_password(tmp_path, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    env.update(DISCORD_TOKEN="x", R2V_API_KEY="y", R2V_DATABASE_URL=url)
    for args in ((), ("check",), ("backup", "copy.sqlite3")):
        code, lines = await run_cli(env, tmp_path, *args)
        assert code == 2
        (line,) = lines
        assert line.startswith("r2v-bot: R2V_DATABASE_URL must be a postgresql or postgres URL")
        assert "pa55-w0rd" not in line and "[redacted]@db.example.com" in line


async def test_check_and_status_give_up_on_an_api_that_never_answers(cli_config, fake_api):
    # The client's own timeouts and retries would keep an operator waiting for minutes.
    fake_api.script_query(*[Delay(30.0)] * 10)
    lines: list[str] = []
    assert await check(cli_config, lines.append, time_limit_s=0.5) == 1
    assert lines[0].startswith("Discord token: accepted")
    assert lines[1].endswith("did not answer usefully: no answer within 0.5 s")

    lines = []
    assert await status(cli_config, "some-task", lines.append, time_limit_s=0.5) == 1
    assert lines == [lines[0]] and lines[0].endswith("no answer within 0.5 s")
