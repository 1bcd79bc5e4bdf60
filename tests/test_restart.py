"""A lone `python -m bot` killed with SIGKILL and started again at once, on SQLite and on
PostgreSQL: the new process sees that its predecessor's process is gone (on SQLite by its lock,
on PostgreSQL by its pid) and follows its task at once, without waiting for the predecessor's
heartbeat to time out; the task is delivered once. A clean stop still hands every task over in
the store, and removes its lock file. (A restart in a new container: tests/test_liveness.py.)"""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord, FakeInteraction
from tests.common import png
from tests.pg import postgres_server, postgres_url
from tests.test_process import bot_env, bot_process, read_until, wait_ready

__all__ = ["postgres_server", "postgres_url"]

# A restart that waited for its predecessor's heartbeat to time out would not poll within any
# wait of this test.
WORKER_TIMEOUT_S = 600


def polls(fake_api: FakeBailian, task_id: str) -> int:
    return sum(1 for query in fake_api.queries if query.task_id == task_id)


async def followed(
    fake_api: FakeBailian,
    fake_discord: FakeDiscord,
    interaction: FakeInteraction,
    timeout: float = 5,
) -> tuple[dict[str, Any], str]:
    """The status message of the one task submitted, and its id, once the bot has polled it."""
    status = await interaction.wait_public(timeout)
    task_id = fake_api.submits[0].task_id
    assert task_id is not None
    await fake_discord.wait_for(lambda: polls(fake_api, task_id), 15, what="a first poll")
    return status, task_id


def finish_now(fake_api: FakeBailian, task_id: str) -> None:
    """The task succeeds from now on."""
    task = fake_api.tasks[task_id]
    task.plan = replace(task.plan, running_s=max(0.0, fake_api.clock.now() - task.scheduled_at))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """R2V_DATABASE_URL: none (the SQLite file), or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url


async def test_a_bot_killed_and_started_again_at_once_follows_its_task_without_waiting(
    tmp_path, fake_api, fake_discord, database_url
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3600, video_bytes=4096)
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    env["R2V_WORKER_TIMEOUT_SECONDS"] = str(WORKER_TIMEOUT_S)
    env["R2V_CLAIM_INTERVAL_SECONDS"] = "5"
    if database_url is not None:
        env["R2V_DATABASE_URL"] = database_url
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 runs"}, attachments={"ref1": png(fake_discord)}
        )
        status, task_id = await followed(fake_api, fake_discord, interaction)
        process.kill()
        await process.wait()
    polled_before = polls(fake_api, task_id)

    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await fake_discord.wait_for(
            lambda: polls(fake_api, task_id) > polled_before,
            30,
            what="the restarted bot to poll the task its predecessor followed",
        )
        finish_now(fake_api, task_id)
        await fake_discord.wait_for(
            lambda: videos(fake_discord), 15, what="the video after the restart"
        )
        await asyncio.sleep(1.0)  # would a second delivery follow?
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    log = output.decode()
    # On SQLite its lock tells first (bot.store.sqlite_locks), on PostgreSQL its pid.
    proof = "its lock is free" if database_url is None else "runs no more"
    assert re.search(f"is gone \\([^)]*{proof}\\); its 1 task\\(s\\) are taken over now", log), log
    assert "Traceback" not in log, log
    [video] = videos(fake_discord)
    assert video["message_reference"]["message_id"] == status["id"]


def videos(fake_discord: FakeDiscord) -> list[dict[str, Any]]:
    return [m for m in fake_discord.messages() if m["attachments"]]


async def test_a_clean_stop_hands_its_tasks_over_in_the_store(tmp_path, fake_api, fake_discord):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3600)
    db_path: Path = tmp_path / "tasks.sqlite3"
    env = bot_env(fake_api, fake_discord, db_path)
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await read_until(process, "invite the bot")
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 runs"}, attachments={"ref1": png(fake_discord)}
        )
        await interaction.wait_public()  # stored first
        task_id = fake_api.submits[0].task_id
        with sqlite3.connect(db_path) as db:
            [(owner,)] = db.execute("SELECT owner FROM tasks").fetchall()
        assert owner is not None and owner.split(":")[1] == str(process.pid)
        locks = db_path.with_name(f"{db_path.name}.workers")
        assert [path.name for path in locks.iterdir()] == [f"{owner}.lock"], "held while it runs"
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "released 1 task(s) to the other processes" in output.decode()
    with sqlite3.connect(db_path) as db:
        tasks = db.execute("SELECT task_id, owner, phase FROM tasks").fetchall()
        workers = db.execute("SELECT owner FROM workers").fetchall()
    assert tasks == [(task_id, None, "tracking")], "left for the next process, owned by none"
    assert workers == []
    assert list(locks.iterdir()) == [], "its lock file removed"
