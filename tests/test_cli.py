"""`r2v-bot check` and `r2v-bot status TASK_ID`, as an operator runs them, against the fakes."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.cli import check, status
from fakes.fake_bailian import Delay, TaskPlan
from tests.common import generate
from tests.test_process import CONSOLE_SCRIPT, bot_env


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


async def test_the_console_script_runs_check(fake_api, fake_discord, tmp_path):
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    process = await asyncio.create_subprocess_exec(
        *CONSOLE_SCRIPT,
        "check",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    lines = output.decode().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Discord token", "API key"]


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
