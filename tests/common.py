"""Plain helpers and constants shared by tests in several folders (fixtures: conftest.py)."""

from __future__ import annotations

from typing import Any

from bot.store.protocol import TaskStore
from bot.store.records import TaskRecord
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord, FakeInteraction

# The key of the fake API in the tests that talk to it directly (the `api` fixture).
API_KEY = "sk-very-secret-key-0123456789"
AUTH = {"Authorization": f"Bearer {API_KEY}"}

# The prompt of `generate`: it names the one reference `generate` attaches.
PROMPT = "character1 dances"


def instant(**changes: Any) -> TaskPlan:
    """A task that is done as soon as it is submitted."""
    return TaskPlan(pending_s=0, running_s=0, **changes)


def png(
    fake_discord: FakeDiscord,
    name: str = "alice.png",
    *,
    size: int = 50_000,
    width: int = 800,
    height: int = 600,
) -> dict[str, Any]:
    """A PNG a member attached, as Discord describes it (served by the fake's CDN)."""
    return fake_discord.add_attachment(name, "image/png", size, width=width, height=height)


async def generate(
    fake_discord: FakeDiscord, prompt: str = PROMPT, *, locale: str = "en-US", **options: Any
) -> tuple[FakeInteraction, dict[str, Any]]:
    """`/r2v generate` with one PNG as ref1: the interaction and the public status message."""
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": prompt, **options},
        attachments={"ref1": png(fake_discord)},
        locale=locale,
    )
    return interaction, await interaction.wait_public()


async def delivered(
    fake_discord: FakeDiscord, fake_api: FakeBailian, prompt: str = PROMPT, **options: Any
) -> tuple[FakeInteraction, dict[str, Any], dict[str, Any]]:
    """A generation run to its end: the interaction, its status message and its result post."""
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05)
    interaction, status = await generate(fake_discord, prompt, **options)
    await fake_discord.wait_for(
        lambda: any(m["attachments"] for m in fake_discord.messages()), 10, what="the video"
    )
    result = next(m for m in fake_discord.messages() if m["attachments"])
    return interaction, status, result


async def result_of(fake_discord: FakeDiscord, task_id: str) -> dict[str, Any]:
    """The result message of a task (the post with its video), once posted."""

    def posted() -> dict[str, Any] | None:
        return next(
            (
                m
                for m in fake_discord.messages()
                if m["attachments"] and any(task_id in str(e) for e in m["embeds"])
            ),
            None,
        )

    found: dict[str, Any] = await fake_discord.wait_for(posted, 10, what=f"the result of {task_id}")
    return found


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The custom ids of a message's buttons, row by row."""
    return [
        button["custom_id"]
        for row in message.get("components", [])
        for button in row.get("components", [])
    ]


def replies_to(fake_discord: FakeDiscord, message_id: str) -> list[dict[str, Any]]:
    """The channel's messages that reply to a message (e.g. the results of a status)."""
    return [
        m
        for m in fake_discord.messages()
        if (m.get("message_reference") or {}).get("message_id") == message_id
    ]


async def stored(store: TaskStore, task_id: str) -> TaskRecord:
    """The record the store holds for a task the test knows it has (fails the test if none)."""
    record = await store.get(task_id)
    assert record is not None, f"the store has no task {task_id}"
    return record
