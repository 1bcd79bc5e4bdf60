"""Text the task store cannot keep (NUL, surrogate code points) is refused before anything is
paid, the same on SQLite and PostgreSQL, through the real bot; everything else is stored as
typed. Before, on PostgreSQL, such a prompt was submitted (paid) and then could not be written:
"submitted … but the bot could not record it", and the video was never posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import R2VBot
from bot.store.settings import StoreSettings
from fakes.fake_bailian import FakeBailian
from fakes.fake_discord import FakeDiscord
from tests.common import png
from tests.conftest import make_config, running
from tests.pg import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
async def bot_on(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_api: FakeBailian,
    fake_discord: FakeDiscord,
    postgres_url: str,
) -> AsyncIterator[R2VBot]:
    """The real bot on each store."""
    store = StoreSettings(tmp_path / "tasks.sqlite3")
    if request.param == "postgresql":
        store = StoreSettings(database_url=postgres_url)
    config = make_config(tmp_path, fake_api, fake_discord, store=store)
    async with running(config, fake_discord) as bot:
        yield bot


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"prompt": "character1 da\x00nces"}, ["Character 14 of your prompt", "U+0000"]),
        ({"prompt": "character1 dances \ud83d"}, ["Character 19 of your prompt", "U+D83D"]),
        ({"prompt": "character1 dances \udc00\ud83d"}, ["U+DC00"]),
        (
            {"prompt": "character1 dances", "negative_prompt": "blur\x00"},
            ["Character 5 of your negative prompt", "U+0000"],
        ),
        (
            {"prompt": "character1 meets character2", "links": "https://example.com/b\x00.png"},
            ["link 1", "U+0000"],
        ),
    ],
    ids=["NUL", "lone high surrogate", "swapped pair", "NUL in negative prompt", "NUL in a link"],
)
async def test_text_the_store_cannot_keep_is_refused_before_anything_is_paid(
    bot_on, fake_discord, fake_api, options, says
):
    interaction = await fake_discord.invoke(
        "r2v generate", options, attachments={"ref1": png(fake_discord)}
    )
    # The server's defaults come from the store: the refusal edits the private deferred answer.
    assert (await interaction.wait_response())["type"] == 5
    assert interaction.ephemeral
    text = (await interaction.wait_private())["content"]
    assert text.startswith("**Nothing was submitted.**")
    for words in says:
        assert words in text, text
    assert "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)
    assert fake_api.submits == [], "nothing paid"
    assert await bot_on.store.recent_for_user(int(interaction.user["user"]["id"])) == []


async def test_every_other_character_is_submitted_stored_and_shown_as_typed(
    bot_on, fake_discord, fake_api
):
    prompt = "character1 \x01\x7f\x85 \ufeff\ufffe\uffff \U0010ffff 😀 dances"
    attachment = png(fake_discord, "odd\x00name.png")
    interaction = await fake_discord.invoke(
        "r2v generate", {"prompt": prompt}, attachments={"ref1": attachment}
    )
    status = await interaction.wait_public()
    (submitted,) = fake_api.submits
    assert submitted.json["input"]["prompt"] == prompt, "sent as typed"
    stored = await bot_on.store.get(submitted.task_id)
    assert stored is not None and stored.request.prompt == prompt
    # The file name is only a label: kept with U+FFFD where the store could not keep it.
    assert stored.request.references[0].name == "odd\ufffdname.png"
    assert "odd\ufffdname.png" in str(status["embeds"][0])
