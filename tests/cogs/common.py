"""What the cog tests share: a `/r2v generate` with one reference image (tests.common.png)."""

from __future__ import annotations

from tests.common import png


async def command(fake_discord, options=None, *, user=None, channel_id=None):
    return await fake_discord.invoke(
        "r2v generate",
        options or {"prompt": "character1 bows"},
        attachments={"ref1": png(fake_discord)},
        user=user,
        channel_id=channel_id,
    )
