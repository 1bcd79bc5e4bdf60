"""A tracker in a process of its own, for the ownership tests: `python -m tests.tracking.worker
DATABASE_URL API_BASE API_KEY DELIVERIES_FILE TIMEOUT_S`.

It follows the tasks it claims (as a bot process would, with a fresh owner id) against the fake
API, and appends "owner task_id" to DELIVERIES_FILE for each delivery, so the test sees who
delivered what even after this process is killed. It prints "owner <id>", then "ready".
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path

import aiohttp

from bot.api.client import BailianClient
from bot.store.postgres import PostgresTaskStore
from bot.tracking.ownership import SharedLease, new_worker_id
from bot.tracking.tracker import Tracker
from fakes.recording import FileNotifier
from tests.conftest import FAST_TRACKING


async def main(url: str, api_base: str, api_key: str, deliveries: Path, timeout_s: float) -> None:
    owner = new_worker_id()
    settings = replace(FAST_TRACKING, worker_timeout_s=timeout_s, claim_interval_s=0.2)
    store = await PostgresTaskStore.open(url)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with aiohttp.ClientSession() as session:
        client = BailianClient(session, api_base, api_key)
        lease = SharedLease(store, owner, settings)
        tracker = Tracker(client, store, FileNotifier(deliveries, owner), settings, lease=lease)
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
