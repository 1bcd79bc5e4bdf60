"""Several `python -m bot` processes on one database, against the loopback fakes: three processes
on one PostgreSQL, one Discord shard each, share the work, a killed one's task is delivered once
by another, together they keep the account's query cap in every second (a small one too), and a
process that returns gets its share of the work back; two processes on one SQLite file never
both poll a task, and one member cannot slip past a limit through two servers."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from fakes.fake_bailian import FakeBailian, TaskPlan, max_in_window
from fakes.fake_discord import FakeDiscord, FakeGuild
from tests.common import png
from tests.conftest import eventually
from tests.pg import postgres_server, postgres_url
from tests.test_process import bot_env
from tests.test_restart import finish_now

__all__ = ["postgres_server", "postgres_url"]

QUERY_CAP = 30  # a multiple of the process count: each takes an even share
WORKER_TIMEOUT_S = 2.0


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")


@asynccontextmanager
async def bot_processes(envs: list[dict[str, str]], cwd: Path) -> AsyncIterator[list[BotProcess]]:
    """One `python -m bot` per env, each logging to a file (a pipe nobody reads would fill)."""
    async with AsyncExitStack() as stack:
        bots = []
        for number, env in enumerate(envs):
            output = cwd / f"bot-{number}.log"
            sink = stack.enter_context(output.open("wb"))
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=cwd, env=env, stdout=sink, stderr=sink
            )
            stack.push_async_callback(_stop, process)
            bots.append(BotProcess(process, output))
        yield bots


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


def guilds_on_every_shard(fake: FakeDiscord, shard_count: int) -> list[FakeGuild]:
    """One guild per shard, listed by shard id."""
    fake.shard_count = shard_count
    guilds = [fake.guilds[fake.guild_id]]
    guilds += [fake.add_guild(fake.guild_id + (k << 22)) for k in range(1, shard_count)]
    return sorted(guilds, key=lambda guild: fake.shard_of(guild.id))


async def wait_all_ready(fake: FakeDiscord, bots: list[BotProcess], guilds: list[FakeGuild]):
    def ready() -> bool:
        for bot in bots:
            assert bot.process.returncode is None, f"a bot process died:\n{bot.log()}"
        registered = {c.get("guild_id") for c in fake.registered_commands}
        return all(fake.connected_to(g.id) and str(g.id) in registered for g in guilds)

    await fake.wait_for(ready, 30, what="every shard to connect and the commands to register")


def sharded_envs(base: dict[str, str], shard_count: int) -> list[dict[str, str]]:
    return [
        {**base, "DISCORD_SHARD_COUNT": str(shard_count), "DISCORD_SHARD_IDS": str(shard)}
        for shard in range(shard_count)
    ]


def many_env(
    fake_api: FakeBailian, fake_discord: FakeDiscord, guilds: list[FakeGuild], db: Path
) -> dict[str, str]:
    return {
        **bot_env(fake_api, fake_discord, db),
        "DISCORD_GUILD_IDS": ",".join(str(g.id) for g in guilds),
        "R2V_WORKER_TIMEOUT_SECONDS": str(WORKER_TIMEOUT_S),
        "R2V_CLAIM_INTERVAL_SECONDS": "0.3",
        # Polls wanted far more often than the cap allows: the cap is what limits them.
        "R2V_POLL_MIN_INTERVAL_SECONDS": "0.05",
        "R2V_POLL_MAX_INTERVAL_SECONDS": "0.1",
        "R2V_MAX_QUERIES_PER_SECOND": str(QUERY_CAP),
        "R2V_MAX_ACTIVE_PER_USER": "0",
    }


async def generate(
    fake: FakeDiscord, guild: FakeGuild, prompt: str, user: dict[str, Any] | None = None
):
    return await fake.invoke(
        "r2v generate",
        {"prompt": prompt},
        attachments={"ref1": png(fake)},
        channel_id=guild.channel_ids[0],
        user=user,
    )


def videos(fake: FakeDiscord, guilds: list[FakeGuild]) -> list[dict[str, Any]]:
    return [m for g in guilds for m in fake.messages(g.channel_ids[0]) if m["attachments"]]


async def task_rows(url: str) -> dict[str, tuple[str | None, str]]:
    """task_id -> (owner, raw_status)."""
    db = await asyncpg.connect(url)
    try:
        rows = await db.fetch("SELECT task_id, owner, raw_status FROM tasks")
    finally:
        await db.close()
    return {row["task_id"]: (row["owner"], row["raw_status"]) for row in rows}


def pid_of(owner: str) -> int:
    return int(owner.split(":")[1])  # new_worker_id(): host:pid:random


async def tasks_by_pid(url: str) -> Counter[int]:
    """How many active tasks each process owns (0 for tasks without an owner)."""
    rows = await task_rows(url)
    active = [owner for owner, status in rows.values() if status != "SUCCEEDED"]
    return Counter(pid_of(owner or ":0:") for owner in active)


async def submit_two_per_guild(fake: FakeDiscord, guilds: list[FakeGuild]) -> list[dict[str, Any]]:
    statuses = []
    for guild in guilds:
        for n in range(2):
            interaction = await generate(fake, guild, f"character1 dances {n}")
            statuses.append(await interaction.wait_public(10))
    return statuses


async def test_three_processes_share_the_work_and_a_killed_ones_task_is_delivered_once(
    tmp_path, fake_api, fake_discord, postgres_url
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3.0, video_bytes=4096)
    guilds = guilds_on_every_shard(fake_discord, 3)
    base = {**many_env(fake_api, fake_discord, guilds, tmp_path / "unused.sqlite3")}
    base["R2V_DATABASE_URL"] = postgres_url
    async with bot_processes(sharded_envs(base, 3), tmp_path) as bots:
        await wait_all_ready(fake_discord, bots, guilds)
        statuses = []
        for guild in guilds:
            for n in range(2):
                interaction = await generate(fake_discord, guild, f"character1 dances {n}")
                statuses.append(await interaction.wait_public(10))
        submitted = [s.task_id for s in fake_api.submits]
        assert len(submitted) == 6

        # Kill the process owning a RUNNING task: the one serving shard 1.
        victim = bots[1]
        rows: dict[str, tuple[str | None, str]] = {}

        async def victim_runs_a_task() -> bool:
            rows.update(await task_rows(postgres_url))
            return any(
                owner and pid_of(owner) == victim.process.pid and status == "RUNNING"
                for owner, status in rows.values()
            )

        await eventually(victim_runs_a_task, 15, what="shard 1 to run a task")
        moved = [
            t for t, (owner, _) in rows.items() if pid_of(owner or ":0:") == victim.process.pid
        ]
        assert moved
        victim.process.kill()
        await victim.process.wait()

        await fake_discord.wait_for(
            lambda: len(videos(fake_discord, guilds)) >= 6, 30, what="all six videos"
        )
        await asyncio.sleep(1.0)  # would a second delivery follow?
        survivors = [bots[0], bots[2]]
    delivered = videos(fake_discord, guilds)
    replied_to = sorted(m["message_reference"]["message_id"] for m in delivered)
    assert replied_to == sorted(s["id"] for s in statuses), "each task's video posted once"
    logs = [bot.log() for bot in survivors]
    for task_id in moved:
        delivered_by = [log for log in logs if f"task {task_id} delivered" in log]
        assert len(delivered_by) == 1, f"{task_id} delivered by {len(delivered_by)} survivors"
    assert fake_api.max_queries_in_window(1.0) <= QUERY_CAP, "the three keep the cap together"
    for log in logs:
        assert "Traceback" not in log, log


async def test_two_processes_on_one_sqlite_file_never_both_poll_a_task(
    tmp_path, fake_api, fake_discord
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=1.5, video_bytes=4096)
    guilds = guilds_on_every_shard(fake_discord, 2)
    base = many_env(fake_api, fake_discord, guilds, tmp_path / "tasks.sqlite3")
    base["R2V_MAX_ACTIVE_PER_USER"] = "1"
    async with bot_processes(sharded_envs(base, 2), tmp_path) as bots:
        await wait_all_ready(fake_discord, bots, guilds)
        # One member, one running task allowed, asking in both servers at once (served by
        # the two processes): exactly one is accepted.
        both = await asyncio.gather(
            *(generate(fake_discord, guild, "character1 jumps") for guild in guilds)
        )
        answers = await asyncio.gather(*(i.wait_followup(10) for i in both))
        assert len(fake_api.submits) == 1, answers
        [task_id] = [s.task_id for s in fake_api.submits]
        await fake_discord.wait_for(
            lambda: videos(fake_discord, guilds), 15, what="the video to be posted"
        )
        await asyncio.sleep(1.0)  # would a second delivery follow?
    assert len(videos(fake_discord, guilds)) == 1
    logs = [bot.log() for bot in bots]
    polled_by = [log for log in logs if f"task {task_id}: PENDING -> RUNNING" in log]
    delivered_by = [log for log in logs if f"task {task_id} delivered" in log]
    assert len(polled_by) == 1 and len(delivered_by) == 1, "one process followed the task"
    assert any("running" in str(answer).lower() for answer in answers), answers


async def test_three_processes_keep_a_small_cap_in_every_second(
    tmp_path, fake_api, fake_discord, postgres_url
):
    cap = 4  # not a multiple of the process count
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3600)
    guilds = guilds_on_every_shard(fake_discord, 3)
    base = many_env(fake_api, fake_discord, guilds, tmp_path / "unused.sqlite3")
    base.update(R2V_DATABASE_URL=postgres_url, R2V_MAX_QUERIES_PER_SECOND=str(cap))
    async with bot_processes(sharded_envs(base, 3), tmp_path) as bots:
        await wait_all_ready(fake_discord, bots, guilds)
        await submit_two_per_guild(fake_discord, guilds)
        # Six tasks whose polls are wanted every 0.05-0.1 s: only the cap holds them back.
        await fake_discord.wait_for(lambda: len(fake_api.queries) >= 50, 60, what="fifty queries")
    seconds = [q.real_at for q in fake_api.queries]
    assert max_in_window(seconds, 1.0) <= cap, "the three keep the cap together, every second"


async def test_a_process_that_returns_gets_its_share_of_the_work_back(
    tmp_path, fake_api, fake_discord, postgres_url
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=3600, video_bytes=4096)
    guilds = guilds_on_every_shard(fake_discord, 3)
    base = many_env(fake_api, fake_discord, guilds, tmp_path / "unused.sqlite3")
    base["R2V_DATABASE_URL"] = postgres_url
    envs = sharded_envs(base, 3)
    again = tmp_path / "again"
    again.mkdir()
    async with bot_processes(envs, tmp_path) as bots:
        await wait_all_ready(fake_discord, bots, guilds)
        statuses = await submit_two_per_guild(fake_discord, guilds)
        pids = [bot.process.pid for bot in bots]

        async def split(expected: dict[int, int]) -> bool:
            return await tasks_by_pid(postgres_url) == Counter(expected)

        await eventually(lambda: split({pid: 2 for pid in pids}), 15, what="two tasks each")
        bots[1].process.kill()
        await bots[1].process.wait()
        await eventually(
            lambda: split({pids[0]: 3, pids[2]: 3}), 15, what="the survivors to take over"
        )
        async with bot_processes([envs[1]], again) as [returned]:
            await eventually(
                lambda: split({pids[0]: 2, returned.process.pid: 2, pids[2]: 2}),
                20,
                what="the returning process to get its share back",
            )
            for submit in fake_api.submits:
                assert submit.task_id is not None
                finish_now(fake_api, submit.task_id)
            await fake_discord.wait_for(
                lambda: len(videos(fake_discord, guilds)) >= 6, 30, what="all six videos"
            )
            await asyncio.sleep(1.0)  # would a second delivery follow?
            logs = [bots[0].log(), returned.log(), bots[2].log()]
    delivered = videos(fake_discord, guilds)
    replied_to = sorted(m["message_reference"]["message_id"] for m in delivered)
    assert replied_to == sorted(s["id"] for s in statuses), "each task's video posted once"
    assert any("handed 1 task(s) over to less busy processes" in log for log in logs)
    for submit in fake_api.submits:
        ended = re.compile(f"task {submit.task_id}: [A-Z]+ -> SUCCEEDED")
        assert len([log for log in logs if ended.search(log)]) == 1, "one process saw it end"
    for log in logs:
        assert "Traceback" not in log, log
