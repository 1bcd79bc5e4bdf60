"""The SQLite file deleted or replaced under the running bot: noticed before the next paid
submit, paid commands refused (and /healthz down) until the file is back, what it held saved
beside its name, one log line saying what to do. Before, commands went on being accepted into
the deleted file and everything was gone at the next start."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.observe.settings import HttpAddress, ObserveSettings
from tests.common import generate, png
from tests.conftest import make_config, running

LOOPBACK = ObserveSettings(http_addr=HttpAddress("127.0.0.1", 0), store_timeout_s=1.0)


async def healthz(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
        return response.status, await response.json()


def deleted(path: Path) -> None:
    path.unlink()


def replaced(path: Path) -> None:
    # As a restore done while the bot runs: another file moved over the name.
    other = path.with_name("restored.sqlite3")
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE tasks (task_id TEXT)")
    os.replace(other, path)


@pytest.mark.parametrize("lose", [deleted, replaced])
async def test_a_lost_database_file_stops_paid_commands_and_is_saved_aside(
    tmp_path, fake_api, fake_discord, caplog, lose
):
    config = make_config(tmp_path, fake_api, fake_discord, observe=LOOPBACK)
    db_path = config.store.db_path
    async with running(config, fake_discord) as bot:
        assert bot.observer is not None
        _, first = await generate(fake_discord)
        assert (await healthz(bot.observer.url))[0] == 200

        lose(db_path)
        refusals = []
        for take in range(2):
            interaction = await fake_discord.invoke(
                "r2v generate",
                {"prompt": f"character1 waves, take {take}"},
                attachments={"ref1": png(fake_discord)},
            )
            refusals.append((await interaction.wait_private())["content"])
        status, body = await healthz(bot.observer.url)

    assert len(fake_api.submits) == 1, "nothing paid once the file was lost"
    for refusal in refusals:
        assert refusal.startswith("**Nothing was submitted or charged.**"), refusal
    assert status == 503 and body["status"] == "down" and body["store"] == "down", body
    assert f"the task database {db_path} was {lose.__name__}" in body["reason"]

    said = [
        r for r in caplog.records if r.levelno >= logging.ERROR and str(db_path) in r.getMessage()
    ]
    assert len(said) == 1, [r.getMessage() for r in said]  # once, however often it is checked
    line = said[0].getMessage()
    assert said[0].exc_info is None and "\n" not in line
    assert "refuses new paid commands" in line and "stop the bot, move that file to" in line
    [rescued] = tmp_path.glob("tasks.sqlite3.rescued-*")
    assert str(rescued) in line
    with sqlite3.connect(rescued) as copy:
        kept = [row[0] for row in copy.execute("SELECT task_id FROM tasks")]
    assert kept == [fake_api.submits[0].task_id], "what the lost file held is saved"
    assert kept[0] in str(first["embeds"][0])


async def test_a_file_moved_away_and_back_is_the_store_again(
    tmp_path, fake_api, fake_discord, caplog
):
    config = make_config(tmp_path, fake_api, fake_discord)
    db_path = config.store.db_path
    aside = tmp_path / "aside.sqlite3"
    async with running(config, fake_discord):
        await generate(fake_discord)
        shutil.move(db_path, aside)
        interaction = await fake_discord.invoke(
            "r2v generate",
            {"prompt": "character1 waves"},
            attachments={"ref1": png(fake_discord)},
        )
        assert "Nothing was submitted" in (await interaction.wait_private())["content"]
        shutil.move(aside, db_path)
        await generate(fake_discord)
    assert len(fake_api.submits) == 2, "taken again once the file is back"
    assert any("is back under its name" in r.getMessage() for r in caplog.records)
