"""A tracker in a process of its own, for the ownership tests: `python -m tests.tracking.worker
DATABASE_URL API_BASE API_KEY DELIVERIES_FILE TIMEOUT_S`.

It follows the tasks it claims (as a bot process would, with a fresh owner id) against the fake
API, and appends "owner task_id" to DELIVERIES_FILE for each delivery, so the test sees who
delivered what even after this process is killed. It prints "owner <id>", then "ready".
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

import aiohttp

from bot.api.client import BailianClient
from bot.store.postgres import PostgresTaskStore
from bot.store.records import TaskRecord
from bot.store.types import new_worker_id
from bot.tracking.delivery import Delivered, Place
from bot.tracking.tracker import RecordAttempt, Tracker
from tests.conftest import FAST_TRACKING


class FileNotifier:
    """Records deliveries in a file shared by every worker of a test."""

    def __init__(self, path: Path, owner: str) -> None:
        self._path = path
        self._owner = owner

    async def status_changed(self, record: TaskRecord) -> TaskRecord:
        return record

    async def deliver(self, record: TaskRecord, record_attempt: RecordAttempt) -> Delivered:
        # The attempt is recorded (a fenced save) before the post, as the Discord notifier does.
        attempt = await record_attempt(replace(record, delivery_attempt_at=time.time()))
        # O_APPEND: lines of several processes never interleave within a line.
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, f"{self._owner} {record.task_id}\n".encode())
        finally:
            os.close(fd)
        return Delivered(replace(attempt, result_message_id=1), Place.CHANNEL)


async def main(url: str, api_base: str, api_key: str, deliveries: Path, timeout_s: float) -> None:
    owner = new_worker_id()
    settings = replace(FAST_TRACKING, worker_timeout_s=timeout_s, claim_interval_s=0.2)
    store = await PostgresTaskStore.open(url)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with aiohttp.ClientSession() as session:
        client = BailianClient(session, api_base, api_key)
        tracker = Tracker(client, store, FileNotifier(deliveries, owner), settings, owner=owner)
        print(f"owner {owner}", flush=True)
        await tracker.start()
        print("ready", flush=True)
        await stop.wait()
        await tracker.stop()
    await store.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s")
    url, api_base, api_key, deliveries, timeout_s = sys.argv[1:]
    asyncio.run(main(url, api_base, api_key, Path(deliveries), float(timeout_s)))
