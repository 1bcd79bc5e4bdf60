"""What the cog tests share: a reference image and a `/r2v generate` with it."""

from __future__ import annotations


def png(fake_discord, name="a.png"):
    return fake_discord.add_attachment(name, "image/png", 40_000, width=640, height=640)


async def command(fake_discord, options=None, *, user=None, channel_id=None):
    return await fake_discord.invoke(
        "r2v generate",
        options or {"prompt": "character1 bows"},
        attachments={"ref1": png(fake_discord)},
        user=user,
        channel_id=channel_id,
    )
