"""A demo with no Discord and no API account: the real bot process (`python -m bot`) against
the loopback fakes. A member runs /r2v generate with two images and a link; the demo prints what
the channel shows until the video arrives.

    .venv/bin/python -m fakes.demo
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parent.parent


def show(message: dict[str, Any], seen: dict[str, str]) -> None:
    embeds = message.get("embeds") or [{}]
    title = embeds[0].get("title", "")
    status = next((f["value"] for f in embeds[0].get("fields", []) if f["name"] == "Status"), "")
    files = ", ".join(f"{a['filename']} ({a['size']:,} bytes)" for a in message["attachments"])
    line = " | ".join(
        part
        for part in (title, status.replace("\n", " "), message.get("content") or "", files)
        if part
    )
    if seen.get(message["id"]) != line:
        seen[message["id"]] = line
        print(f"  message {message['id'][-6:]}: {line}")


async def main() -> int:
    async with (
        FakeBailian(default_plan=TaskPlan(pending_s=2, running_s=4, video_bytes=2_000_000)) as api,
        FakeDiscord() as discord_,
    ):
        with tempfile.TemporaryDirectory() as workdir:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "R2V_"))},
                "PYTHONPATH": str(REPO),
                "DISCORD_TOKEN": discord_.bot_token,
                "R2V_API_KEY": api.api_key,
                "R2V_API_BASE": api.base_url,
                "DISCORD_API_BASE": discord_.api_base,
                "DISCORD_GATEWAY_URL": discord_.gateway_url,
                "DISCORD_GUILD_IDS": str(discord_.guild_id),
                "R2V_DB_PATH": str(Path(workdir) / "demo.sqlite3"),
                "R2V_POLL_MIN_INTERVAL_SECONDS": "0.5",
                "R2V_STATUS_EDIT_SECONDS": "0",
                "LOG_LEVEL": "WARNING",
            }
            print("starting `python -m bot` against the local fake Discord and fake API …")
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=workdir, env=env
            )
            try:
                await discord_.wait_for(
                    lambda: discord_.connected and discord_.registered_commands, 20
                )
                alice = discord_.add_attachment(
                    "alice.png", "image/png", 180_000, width=1024, height=1024
                )
                bob = discord_.add_attachment(
                    "bob.jpg", "image/jpeg", 150_000, width=800, height=1200
                )
                prompt = "character1 hands character2 a cup of tea; character3 glows on the table"
                print(f'\nalice runs: /r2v generate prompt:"{prompt}" ref1:alice.png ref2:bob.jpg')
                print("             links:https://example.com/cup.webp duration:6 seed:42\n")
                await discord_.invoke(
                    "r2v generate",
                    {
                        "prompt": prompt,
                        "links": "https://example.com/cup.webp",
                        "duration": 6,
                        "seed": 42,
                    },
                    attachments={"ref1": alice, "ref2": bob},
                )
                seen: dict[str, str] = {}
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 60
                while loop.time() < deadline:
                    for message in discord_.messages():
                        show(message, seen)
                    if any(m["attachments"] for m in discord_.messages()):
                        break
                    await asyncio.sleep(0.2)
                print("\nthe request the API received:")
                print(f"  {api.submits[0].json}")
            finally:
                bot.send_signal(signal.SIGTERM)
                await bot.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
