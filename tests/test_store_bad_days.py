"""The task store on a bad day, with `python -m bot` as a real process and the fault brought
from outside: a PostgreSQL server stopped and started again under it, a process killed while
its submit is on the wire."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes.fake_bailian import Delay, FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord, FakeInteraction
from fakes.pg import PostgresServer, find_bin_dir
from tests.common import png
from tests.test_process import bot_env, bot_process, wait_ready

LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+)\s+(\S+): (.*)")


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, which it may stop and start again."""
    bin_dir = find_bin_dir()
    assert bin_dir is not None, "no PostgreSQL binaries (install the test extra)"
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Output:
    """Every line the process writes, read as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.lines: list[str] = []
        self._process = process
        self._reading = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process.stdout is not None
        while line := await self._process.stdout.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    async def wait_for(self, text: str, timeout: float = 20) -> int:
        """The index of the first line holding `text`."""
        async with asyncio.timeout(timeout):
            while True:
                found = [n for n, line in enumerate(self.lines) if text in line]
                if found:
                    return found[0]
                await asyncio.sleep(0.05)

    async def close(self) -> None:
        self._reading.cancel()
        await asyncio.gather(self._reading, return_exceptions=True)


@pytest.fixture
async def long_tasks() -> AsyncIterator[FakeBailian]:
    # Queued for 2 s, then running for long: their first change comes during the outage.
    async with FakeBailian(default_plan=TaskPlan(pending_s=2.0, running_s=600)) as api:
        yield api


async def test_a_postgresql_outage_is_a_few_lines_not_a_traceback_per_attempt(
    tmp_path: Path, own_postgres: PostgresServer, long_tasks: FakeBailian, fake_discord: FakeDiscord
) -> None:
    env = bot_env(long_tasks, fake_discord, tmp_path / "unused.sqlite3")
    env.update(R2V_DATABASE_URL=own_postgres.url(), R2V_MAX_ACTIVE_PER_USER="0")
    async with bot_process(env, tmp_path) as process:
        output = Output(process)
        try:
            await wait_ready(fake_discord, process)
            for take in range(3):
                interaction = await fake_discord.invoke(
                    "r2v generate",
                    {"prompt": f"character1 dances, take {take}"},
                    attachments={"ref1": png(fake_discord)},
                )
                await interaction.wait_public()
            began = len(output.lines)
            own_postgres.pause()
            # Polled 3-10 times a second each, changing status, saving, heartbeating: every
            # store call fails for 5 s. And a member asks for a video meanwhile.
            await asyncio.sleep(2.5)
            refused = await invoke(fake_discord, "character1 waits")
            answer = (await refused.wait_private(10))["content"]
            await asyncio.sleep(2.5)
            own_postgres.resume()
            back = await output.wait_for("heartbeat succeeded again")
            await output.wait_for("PENDING -> RUNNING")  # the saves that failed went through
        finally:
            await output.close()
    during = output.lines[began : back + 1]
    assert not [line for line in during if "Traceback" in line], "\n".join(during)
    logged = [LOG_LINE.match(line) for line in during]
    assert all(logged), "\n".join(during)  # one line each: no traceback, no continuation
    problems = [m.group(0) for m in logged if m and m.group(1) in ("WARNING", "ERROR")]
    # The lease's heartbeat, the tracker's polls, asyncpg's pool, the refused command: one
    # line each (and the lease may say it renewed after a stall). Before: 316 tracebacks in 30 s.
    assert 3 <= len(problems) <= 7, "\n".join(during)
    # The command during the outage: nothing paid, and the member told why.
    assert answer.startswith("**Nothing was submitted or charged.**"), answer
    assert "task database is unavailable" in answer
    assert len(long_tasks.submits) == 3


async def invoke(fake_discord: FakeDiscord, prompt: str) -> FakeInteraction:
    return await fake_discord.invoke(
        "r2v generate", {"prompt": prompt}, attachments={"ref1": png(fake_discord)}
    )


def notices(fake_discord: FakeDiscord) -> list[dict[str, Any]]:
    return [m for m in fake_discord.messages() if "may have been submitted" in m["content"]]


async def test_a_submit_cut_off_by_a_kill_is_told_to_its_member_at_the_next_start(
    tmp_path: Path, fake_api: FakeBailian, fake_discord: FakeDiscord
) -> None:
    fake_api.script_submit(Delay(3.0))  # the API takes its time; the task exists after it
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        interaction = await invoke(fake_discord, "character1 jumps over the moon")
        await fake_discord.wait_for(lambda: fake_api.submits, 10, what="the submit")
        process.send_signal(signal.SIGKILL)  # paid, perhaps; recorded, never
        await process.wait()
    member = int(interaction.user["user"]["id"])
    assert notices(fake_discord) == []

    async with bot_process(env, tmp_path) as process:
        output = Output(process)
        try:
            await wait_ready(fake_discord, process)
            # Once the killed process's heartbeat is older than the worker timeout (1.5 s).
            await fake_discord.wait_for(lambda: notices(fake_discord), 15, what="the notice")
            await output.wait_for(f"told user {member} in its channel")
            await asyncio.sleep(2.0)  # two more looks: told once, and closed
        finally:
            await output.close()
    [notice] = notices(fake_discord)
    assert notice["channel_id"] == str(interaction.channel_id)
    assert fake_discord.pinged(notice)["users"] == {member}, "mentions only the member"
    text = notice["content"]
    assert "may be billed" in text and "It was not followed" in text
    assert "never received its task ID" in text
    assert "wan2.6-r2v-flash, 5 s: `character1 jumps over the moon`" in text

    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await asyncio.sleep(2.0)
    assert len(notices(fake_discord)) == 1, "closed once told: no later start repeats it"


async def test_a_task_the_store_failed_to_record_is_told_inline_then_at_the_next_start(
    tmp_path: Path, own_postgres: PostgresServer, fake_api: FakeBailian, fake_discord: FakeDiscord
) -> None:
    fake_api.script_submit(Delay(1.0))
    env = bot_env(fake_api, fake_discord, tmp_path / "unused.sqlite3")
    env.update(R2V_DATABASE_URL=own_postgres.url())
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        interaction = await invoke(fake_discord, "character1 sings")
        await fake_discord.wait_for(lambda: fake_api.submits, 10, what="the submit")
        own_postgres.pause()  # the hold is written; the task will not be
        inline = (await interaction.wait_private(10))["content"]
        task_id = fake_api.submits[0].task_id
        assert f"submitted as task `{task_id}`, but the bot could not record it" in inline
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    own_postgres.resume()
    assert notices(fake_discord) == []

    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await fake_discord.wait_for(lambda: notices(fake_discord), 15, what="the notice")
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    [notice] = notices(fake_discord)
    member = int(interaction.user["user"]["id"])
    assert fake_discord.pinged(notice)["users"] == {member}
