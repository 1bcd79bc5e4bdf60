"""`python -m bot` processes on one SQLite file, told alive or dead by the lock each holds on a
file of its own (`bot.store.sqlite_locks`) where their pids cannot tell: a bot killed and
started again in a new container (a new pid namespace) follows its task at once; a live one
whose pid seems gone keeps its task; a clean stop removes its lock file."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from fakes.fake_bailian import TaskPlan
from tests.common import png
from tests.test_many_processes import (
    bot_processes,
    generate,
    guilds_on_every_shard,
    many_env,
    sharded_envs,
    videos,
)
from tests.test_process import bot_env, bot_process, wait_ready
from tests.test_restart import finish_now, followed, polls
from tests.test_restart import videos as posted

# A process that waited for another's heartbeat to time out would not act within any wait of
# these tests: only the lock can have told.
WORKER_TIMEOUT_S = "600"


def lock_files(database: Path) -> list[str]:
    folder = database.with_name(f"{database.name}.workers")
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def worker_rows(database: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT owner, pid_space, pid FROM workers").fetchall()


async def test_a_bot_killed_and_started_again_in_a_new_container_follows_its_task_at_once(
    tmp_path, fake_api, fake_discord
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3600, video_bytes=4096)
    database = tmp_path / "tasks.sqlite3"
    env = bot_env(fake_api, fake_discord, database)
    env.update(R2V_WORKER_TIMEOUT_SECONDS=WORKER_TIMEOUT_S, R2V_CLAIM_INTERVAL_SECONDS="5")
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 runs"}, attachments={"ref1": png(fake_discord)}
        )
        status, task_id = await followed(fake_api, fake_discord, interaction)
        [(dead, _, _)] = worker_rows(database)
        assert lock_files(database) == [f"{dead}.lock"]
        process.kill()
        await process.wait()
    # As a container started again finds it: the old process ran in a pid namespace that the
    # new one cannot look into, where its pid proves nothing.
    with sqlite3.connect(database) as db:
        db.execute("UPDATE workers SET pid_space = 'another-boot pid:[4026531836]'")
    polled_before = polls(fake_api, task_id)

    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await fake_discord.wait_for(
            lambda: polls(fake_api, task_id) > polled_before,
            30,
            what="the restarted bot to poll the task its predecessor followed",
        )
        [(alive, _, _)] = worker_rows(database)
        assert lock_files(database) == [f"{alive}.lock"], "the dead one's lock file is gone"
        finish_now(fake_api, task_id)
        await fake_discord.wait_for(
            lambda: posted(fake_discord), 15, what="the video after the restart"
        )
        await asyncio.sleep(1.0)  # would a second delivery follow?
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    log = output.decode()
    assert f"worker {dead} is gone (its lock is free); its 1 task(s) are taken over now" in log
    assert "Traceback" not in log, log
    [video] = posted(fake_discord)
    assert video["message_reference"]["message_id"] == status["id"]
    assert lock_files(database) == [], "a clean stop removes its lock file"


def a_pid_gone() -> int:
    """The pid of a program that ran and ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_a_live_bot_whose_pid_seems_gone_keeps_its_task_while_its_lock_is_held(
    tmp_path, fake_api, fake_discord
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3600, video_bytes=4096)
    guilds = guilds_on_every_shard(fake_discord, 2)
    database = tmp_path / "tasks.sqlite3"
    base = many_env(fake_api, fake_discord, guilds, database)
    base.update(R2V_WORKER_TIMEOUT_SECONDS=WORKER_TIMEOUT_S, R2V_CLAIM_INTERVAL_SECONDS="0.3")
    first_env, second_env = sharded_envs(base, 2)
    second_home = tmp_path / "second"
    second_home.mkdir()
    async with bot_processes([first_env], tmp_path) as [first]:
        await fake_discord.wait_for(
            lambda: (
                first.process.returncode is None
                and fake_discord.connected_to(guilds[0].id)
                and str(guilds[0].id)
                in {c.get("guild_id") for c in fake_discord.registered_commands}
            ),
            30,
            what="the first bot to connect and register the commands",
        )
        interaction = await generate(fake_discord, guilds[0], "character1 runs")
        _, task_id = await followed(fake_api, fake_discord, interaction, 10)
        # Its row now names a pid gone from this very pid space: by its pid alone, it is dead.
        [(owner, _, _)] = worker_rows(database)
        with sqlite3.connect(database) as db:
            db.execute("UPDATE workers SET pid = ?, started = 0", (a_pid_gone(),))

        async with bot_processes([second_env], second_home) as [second]:
            # Its first claim round ran before it connected.
            await fake_discord.wait_for(
                lambda: (
                    second.process.returncode is None and fake_discord.connected_to(guilds[1].id)
                ),
                30,
                what="the second bot to connect",
            )
            finish_now(fake_api, task_id)
            await fake_discord.wait_for(lambda: videos(fake_discord, guilds), 15, what="the video")
            await asyncio.sleep(1.0)  # would a second delivery follow?
            rows = [row[0] for row in worker_rows(database)]
    assert owner in rows, "never released"
    first_log, second_log = first.log(), second.log()
    assert "is gone" not in second_log and "took over" not in second_log, second_log
    assert f"task {task_id} delivered" in first_log and f"task {task_id}" not in second_log
    assert len(videos(fake_discord, guilds)) == 1
    assert lock_files(database) == [], "both stopped cleanly and removed their lock files"
