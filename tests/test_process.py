"""`python -m bot` as a real process against the loopback fakes: start-up, a command, a video
delivered, a clean stop, and a SIGKILL in the middle of a task."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from fakes.fake_bailian import Delay, FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord, FakeDiscordError
from tests.common import png

REPO = Path(__file__).resolve().parents[1]


def bot_env(fake_api: FakeBailian, fake_discord: FakeDiscord, db_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    return {
        **keep,
        "PYTHONPATH": str(REPO),
        "DISCORD_TOKEN": fake_discord.bot_token,
        "R2V_API_KEY": fake_api.api_key,
        "R2V_API_BASE": fake_api.base_url,
        "DISCORD_API_BASE": fake_discord.api_base,
        "DISCORD_GATEWAY_URL": fake_discord.gateway_url,
        "DISCORD_GUILD_IDS": str(fake_discord.guild_id),
        "R2V_DB_PATH": str(db_path),
        "R2V_VIDEO_DIR": str(db_path.parent / "videos"),
        "R2V_POLL_MIN_INTERVAL_SECONDS": "0.1",
        "R2V_POLL_MAX_INTERVAL_SECONDS": "0.3",
        "R2V_STATUS_EDIT_SECONDS": "0",
        "R2V_MAX_QUERIES_PER_SECOND": "50",
        "R2V_USER_COOLDOWN_SECONDS": "0",
        # A killed process's tasks move to the next one after this long.
        "R2V_WORKER_TIMEOUT_SECONDS": "1.5",
        "R2V_CLAIM_INTERVAL_SECONDS": "0.3",
        "LOG_LEVEL": "INFO",
    }


# `python -m bot`, and the console script the package installs next to that python.
PYTHON_M_BOT = (sys.executable, "-m", "bot")
CONSOLE_SCRIPT = (str(Path(sys.executable).with_name("r2v-bot")),)


@asynccontextmanager
async def bot_process(
    env: dict[str, str], cwd: Path, command: tuple[str, ...] = PYTHON_M_BOT
) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_ready(fake_discord: FakeDiscord, process: asyncio.subprocess.Process) -> None:
    identified = len(fake_discord.identify_payloads)
    await fake_discord.wait_for(
        lambda: (
            process.returncode is not None
            or (
                fake_discord.connected
                and fake_discord.registered_commands
                and len(fake_discord.identify_payloads) > identified
            )
        ),
        15,
        what="the bot process to log in and sync its commands",
    )
    assert process.returncode is None, "the bot process died during start-up"


async def read_until(process: asyncio.subprocess.Process, text: str) -> str:
    """The process's output up to and including the first line containing `text`."""
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or text not in lines[-1]:
        line = await asyncio.wait_for(process.stdout.readline(), 15)
        assert line, f"the process ended without logging {text!r}: {''.join(lines)}"
        lines.append(line.decode())
    return "".join(lines)


@pytest.mark.parametrize(
    "command", [PYTHON_M_BOT, CONSOLE_SCRIPT], ids=["python -m bot", "r2v-bot"]
)
async def test_without_a_token_the_bot_says_exactly_what_to_set(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    env["PYTHONPATH"] = str(REPO)
    async with bot_process(env, tmp_path, command) as process:
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    text = output.decode()
    assert "DISCORD_TOKEN is not set: put DISCORD_TOKEN=" in text
    assert "Traceback" not in text


async def test_a_malformed_setting_stops_start_up_with_one_sentence(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    env.update(PYTHONPATH=str(REPO), DISCORD_TOKEN="x", R2V_API_KEY="y", R2V_DEFAULT_SIZE="800*600")
    async with bot_process(env, tmp_path) as process:
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert output.decode().strip().startswith("r2v-bot: R2V_DEFAULT_SIZE must be one of")


async def test_every_setting_problem_is_listed_at_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    env.update(PYTHONPATH=str(REPO), R2V_DEFAULT_SIZE="800*600", R2V_POLL_JITTER="lots")
    async with bot_process(env, tmp_path) as process:
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    lines = output.decode().strip().splitlines()
    assert [line.split()[1] for line in lines] == [
        "DISCORD_TOKEN",
        "R2V_API_KEY",
        "R2V_POLL_JITTER",
        "R2V_DEFAULT_SIZE",
    ]
    assert all(line.startswith("r2v-bot: ") for line in lines)


def corrupt(path: Path) -> None:
    path.write_bytes(b"this is not an SQLite file, but it is long enough to look like one" * 20)


def newer_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")


def a_folder(path: Path) -> None:
    path.mkdir()


def a_file_as_its_folder(path: Path) -> None:
    path.parent.write_text("a file where the database's folder should be")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (corrupt, "is not a usable SQLite database"),
        (newer_schema, "was written by a newer r2v-bot"),
        (a_folder, "cannot write the task database"),
        (a_file_as_its_folder, "cannot open the task database"),
    ],
)
async def test_an_unusable_database_stops_start_up_with_one_sentence(tmp_path, make, says):
    db_path = tmp_path / "data" / "tasks.sqlite3"
    db_path.parent.mkdir()
    if make is a_file_as_its_folder:
        db_path.parent.rmdir()
    make(db_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))}
    env.update(PYTHONPATH=str(REPO), DISCORD_TOKEN="x", R2V_API_KEY="y", R2V_DB_PATH=str(db_path))
    async with bot_process(env, tmp_path) as process:
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode()
    assert process.returncode == 2, text
    assert "Traceback" not in text
    (sentence,) = [line for line in text.splitlines() if line.startswith("r2v-bot: ")]
    assert says in sentence, text
    assert str(db_path) in sentence and "R2V_DB_PATH" in sentence


async def test_the_bot_process_takes_a_command_delivers_the_video_and_stops_cleanly(
    tmp_path, fake_api, fake_discord
):
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        start_up = await read_until(process, "invite the bot")
        ref1 = png(fake_discord)
        ref2 = fake_discord.add_attachment("b.mov", "video/quicktime", 900_000)
        interaction = await fake_discord.invoke(
            "r2v generate",
            {
                "prompt": "character1 meets character2 near character3",
                "seed": 7,
                "links": "https://example.com/c.jpg",
            },
            attachments={"ref1": ref1, "ref2": ref2},
        )
        assert (await interaction.wait_response())["type"] == 5
        answer = await interaction.wait_public()
        submitted = fake_api.submits[0]
        assert submitted.json["input"]["reference_urls"] == [
            ref1["url"],
            ref2["url"],
            "https://example.com/c.jpg",
        ]
        assert submitted.json["parameters"] == {"size": "1920*1080", "duration": 5, "seed": 7}
        assert submitted.task_id in str(answer["embeds"][0])

        await fake_discord.wait_for(
            lambda: any(m["attachments"] for m in fake_discord.messages()),
            15,
            what="the video to be posted",
        )
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0
    log = start_up + output.decode()
    assert fake_api.api_key not in log and fake_discord.bot_token not in log
    assert f"submitted task {submitted.task_id}" in log
    online = (
        f"online as r2v-bot in 1 server(s); commands registered in server {fake_discord.guild_id}."
    )
    assert online in start_up
    assert "invite the bot to a server with https://discord.com/oauth2/authorize?" in start_up
    assert "Traceback" not in log
    # The defaults set no daily budget per member: said once, at start.
    assert log.count("WARNING bot.app: no per-member daily budget by default") == 1


@pytest.mark.parametrize("kill_at", ["RUNNING"])
async def test_a_task_survives_sigkill_and_is_delivered_exactly_once(
    tmp_path, fake_api, fake_discord, kill_at
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=2.5, video_bytes=4096)
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        ref = png(fake_discord)
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 runs"}, attachments={"ref1": ref}
        )
        status = await interaction.wait_public()
        await fake_discord.wait_for(
            lambda: kill_at in str(fake_discord.get_message(status["id"])["embeds"]),
            10,
            what="the status message to show RUNNING",
        )
        process.kill()
        await process.wait()

    def videos() -> list[dict[str, Any]]:
        return [m for m in fake_discord.messages() if m["attachments"]]

    assert videos() == [], "killed before the video was ready"
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await fake_discord.wait_for(lambda: videos(), 15, what="the video after the restart")
        await asyncio.sleep(1.0)  # would a second delivery follow?
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 15)
    delivered = videos()
    assert len(delivered) == 1
    assert delivered[0]["message_reference"]["message_id"] == status["id"]
    assert fake_discord.pinged(delivered[0])["users"] == {int(interaction.user["user"]["id"])}


async def test_a_stop_during_a_submit_still_records_the_task(tmp_path, fake_api, fake_discord):
    """SIGTERM while the API is still answering a submit: the paid task must be stored."""
    fake_api.script_submit(Delay(1.0))
    db_path = tmp_path / "tasks.sqlite3"
    env = bot_env(fake_api, fake_discord, db_path)
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        ref = png(fake_discord)
        await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 runs"}, attachments={"ref1": ref}
        )
        await fake_discord.wait_for(lambda: fake_api.submits, 10, what="the submit to arrive")
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    task_id = fake_api.submits[0].task_id
    assert task_id is not None, "the API created the task"
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT phase FROM tasks WHERE task_id = ?", (task_id,)).fetchall()
    assert stored == [("tracking",)], "stored, to be resumed at the next start"


async def test_a_stop_while_a_task_is_announced_waits_until_it_is_followed(
    tmp_path, fake_api, fake_discord
):
    """SIGTERM once the task is stored but while its status message is still being posted: the
    stop waits for the announcement, so its message id is recorded (no error about a store that
    closed under it) and the next start edits that message rather than posting another."""
    fake_discord.slow_followups(1.5)
    db_path = tmp_path / "tasks.sqlite3"
    env = bot_env(fake_api, fake_discord, db_path)
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 runs"}, attachments={"ref1": png(fake_discord)}
        )
        await fake_discord.wait_for(
            lambda: fake_api.submits and fake_api.submits[0].task_id, 10, what="the submit"
        )
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    log = out.decode()
    assert "could not be recorded" not in log and "Traceback" not in log, log
    with sqlite3.connect(db_path) as db:
        [(message_id,)] = db.execute("SELECT status_message_id FROM tasks").fetchall()
    assert message_id is not None, "the status message posted during the stop is recorded"


async def test_commands_during_a_stop_are_answered_and_every_paid_task_is_kept(
    tmp_path, fake_api, fake_discord
):
    """SIGTERM while commands keep arriving (one per 0.4 s, submits taking 1.5 s): from the
    signal on nothing new is submitted, every task the API created is stored and shown to its
    requester, and every other command the bot received gets a clear answer."""
    fake_api.script_submit(*(Delay(1.5) for _ in range(40)))
    db_path = tmp_path / "tasks.sqlite3"
    env = bot_env(fake_api, fake_discord, db_path)
    sent = []
    async with bot_process(env, tmp_path) as process:
        await wait_ready(fake_discord, process)
        ref = png(fake_discord)
        for number in range(30):
            if number == 8:
                process.send_signal(signal.SIGTERM)
                signalled_at = len(fake_api.submits)
            try:
                sent.append(
                    await fake_discord.invoke(
                        "r2v generate",
                        {"prompt": f"character1 runs, take {number}"},
                        attachments={"ref1": ref},
                        user=fake_discord.make_user(name=f"member{number}"),
                    )
                )
            except FakeDiscordError:
                break  # the bot has closed its gateway connection
            await asyncio.sleep(0.4)
        await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0

    created = {s.task_id for s in fake_api.submits if s.task_id}
    assert created, "some commands were submitted before the stop"
    assert len(fake_api.submits) <= signalled_at + 1, "nothing new is submitted after SIGTERM"
    with sqlite3.connect(db_path) as db:
        stored = {row[0] for row in db.execute("SELECT task_id FROM tasks")}
    assert stored == created, "every task the API created is stored"

    received = [i for i in sent if i.acknowledged]
    assert len(received) > len(created), "commands kept arriving during the stop"
    for interaction in received:
        answer = interaction.original_message
        assert answer is not None, f"interaction {interaction.id} was left thinking"
        text = answer["content"]
        submitted = [task for task in created if task in text]
        assert submitted or "restarting" in text, text
