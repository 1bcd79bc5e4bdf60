"""`r2v-bot backup FILE`: a consistent copy of the SQLite store while the bot process writes to
it; the pg_dump command, password left out, for a PostgreSQL store."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.store.backup import BackupFailed, backup_sqlite, pg_dump_command
from fakes.fake_discord import FakeDiscordError
from tests.test_cli import logged, run_cli
from tests.test_process import bot_env, bot_process, wait_ready


def stored_tasks(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT task_id FROM tasks")}


async def test_a_backup_taken_while_the_bot_writes_is_whole_and_has_the_rows(
    tmp_path, fake_api, fake_discord
):
    db_path = tmp_path / "data" / "tasks.sqlite3"
    env = bot_env(fake_api, fake_discord, db_path)
    png = fake_discord.add_attachment("a.png", "image/png", 1000, width=512, height=512)

    async def submit(number: int) -> None:
        await fake_discord.invoke(
            "r2v generate",
            {"prompt": f"character1 runs, take {number}"},
            attachments={"ref1": png},
            user=fake_discord.make_user(name=f"member{number}"),
        )

    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        for number in range(3):
            await submit(number)
        await fake_discord.wait_for(
            lambda: len(fake_api.submits) == 3 and len(stored_tasks(db_path)) == 3,
            15,
            what="three tasks in the store",
        )
        before = stored_tasks(db_path)

        async def keep_submitting() -> None:
            # Commands keep arriving, and the tracker saves their tasks as they move.
            for number in range(3, 30):
                try:
                    await submit(number)
                except FakeDiscordError:
                    return
                await asyncio.sleep(0.05)

        writer = asyncio.create_task(keep_submitting())
        copies = []
        try:
            for turn in range(3):
                copy = tmp_path / "backups" / f"copy-{turn}.sqlite3"  # its folder made by it
                code, lines = await run_cli(env, tmp_path, "backup", str(copy))
                assert code == 0, lines
                copies.append((copy, logged(lines)))
        finally:
            writer.cancel()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    live = stored_tasks(db_path)

    assert len(live) > len(before), "the bot kept writing while the backups ran"
    for copy, said in copies:
        assert said == [("bot.cli", said[0][1])] and said[0][1].startswith(
            f"backup: {db_path} copied to {copy} ("
        )
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert before <= stored_tasks(copy) <= live
    backups = sorted(os.listdir(tmp_path / "backups"))
    assert backups == [copy.name for copy, _ in copies], "one self-contained file each"


async def test_backup_with_postgresql_prints_the_pg_dump_command_and_writes_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    env.update(
        DISCORD_TOKEN="x",
        R2V_API_KEY="y",
        R2V_DATABASE_URL="postgresql://r2v:pa55-w0rd@db.example.com:5433/r2v",
    )
    code, lines = await run_cli(env, tmp_path, "backup", "r2v.dump")

    assert code == 1
    said = [text for _, text in logged(lines)]
    assert said[0].startswith("backup: the task store is PostgreSQL (R2V_DATABASE_URL)")
    assert said[1] == (
        "PGPASSWORD=[redacted] pg_dump --format=custom --file=r2v.dump "
        "postgresql://r2v@db.example.com:5433/r2v"
    )
    assert "pa55-w0rd" not in "\n".join(lines)
    assert not (tmp_path / "r2v.dump").exists()


@pytest.mark.parametrize(
    ("url", "command"),
    [
        (
            "postgresql://r2v@db/r2v",
            "pg_dump --format=custom --file=b.dump postgresql://r2v@db/r2v",
        ),
        (
            "postgresql://r2v:p%40ss@[::1]:5432/r2v?sslmode=require",
            "PGPASSWORD=[redacted] pg_dump --format=custom --file=b.dump "
            "'postgresql://r2v@[::1]:5432/r2v?sslmode=require'",
        ),
        (
            "postgres:///r2v?host=/run/postgresql&password=secret",
            "PGPASSWORD=[redacted] pg_dump --format=custom --file=b.dump "
            "'postgres:///r2v?host=/run/postgresql'",
        ),
    ],
)
def test_the_pg_dump_command_leaves_the_password_out(url, command):
    assert pg_dump_command(url, Path("b.dump")) == command


def test_a_backup_refuses_a_missing_database_and_its_own_file(tmp_path):
    with pytest.raises(BackupFailed, match="there is no task database at"):
        backup_sqlite(tmp_path / "none.sqlite3", tmp_path / "copy.sqlite3")
    live = tmp_path / "live.sqlite3"
    sqlite3.connect(live).close()
    with pytest.raises(BackupFailed, match="is the task database itself"):
        backup_sqlite(live, tmp_path / "." / "live.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()
