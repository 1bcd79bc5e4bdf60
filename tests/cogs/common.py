"""What the cog tests share: a `/r2v generate` with one reference image (tests.common.png), and
the cast's files and `/r2v cast add`."""

from __future__ import annotations

import aiohttp

from fakes.media import make_image, make_mp4
from tests.common import png


async def command(fake_discord, options=None, *, user=None, channel_id=None):
    return await fake_discord.invoke(
        "r2v generate",
        options or {"prompt": "character1 bows"},
        attachments={"ref1": png(fake_discord)},
        user=user,
        channel_id=channel_id,
    )


def image(fake_discord, name="mia.png", width=640, height=640, **options):
    data = make_image(width, height, **options).read_bytes()
    return fake_discord.add_attachment(
        name, "image/png", len(data), width=width, height=height, data=data
    )


def clip(fake_discord, name="walk.mp4", seconds=2):
    data = make_mp4(320, 240, seconds, "100k").read_bytes()
    return fake_discord.add_attachment(name, "video/mp4", len(data), data=data)


async def add(fake_discord, name, ref=None, *, user=None, locale="en-US", timeout=5.0, **options):
    it = await fake_discord.invoke(
        "r2v cast add",
        {"name": name, **options},
        attachments={"ref": ref} if ref is not None else None,
        user=user,
        locale=locale,
    )
    return (await it.wait_private(timeout))["content"]


async def status_of(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        await response.read()
        return response.status
