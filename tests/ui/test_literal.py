"""Text from the API is shown literally in what Discord receives: a failed task whose message
echoes markdown (a masked link, a heading, an unclosed fence, a ping), and a status the contract
does not name written in markdown, render as written. Real bot, both fakes."""

from __future__ import annotations

import re
from typing import Any

from fakes.fake_bailian import TaskPlan
from tests.common import generate
from tests.ui.test_lanes import results

ECHO = "[click here](https://evil.example/x)\n# Big heading\n```py\nunclosed @everyone"


def live(text: str, char: str) -> bool:
    """Whether `char` occurs in `text` without a backslash escaping it."""
    for found in re.finditer(re.escape(char), text):
        backslashes = len(text[: found.start()]) - len(text[: found.start()].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
    return False


def renders_literally(text: str) -> bool:
    """No live masked link, heading, fence or mention: every bracket and backtick escaped, no
    line opening with `#`, no `@everyone` that pings."""
    return (
        not any(live(text, char) for char in "[]`")
        and not re.search(r"^\s*#", text, re.MULTILINE)
        and "@everyone" not in text
    )


async def test_a_failure_message_echoing_markdown_is_shown_as_written(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(
        pending_s=0.05, running_s=0.05, outcome="FAILED", code="InvalidParameter", message=ECHO
    )
    await generate(fake_discord)
    [post] = await fake_discord.wait_for(lambda: results(fake_discord), 20, what="the result")

    *ours, quoted = post["content"].split("\n")
    assert quoted.startswith("> InvalidParameter: "), "the service's words, one quoted line"
    assert renders_literally(quoted.removeprefix("> "))
    assert not any(line.lstrip().startswith("#") for line in ours)
    for word in ("click here", "https://evil.example/x", "Big heading", "unclosed"):
        assert word in quoted, "every word is still shown"


async def test_a_status_outside_the_contract_written_in_markdown_is_shown_as_written(
    bot, fake_discord, fake_api
):
    odd = "[LIVE](https://evil.example/s)"
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05, outcome=odd)
    _, shown = await generate(fake_discord)

    def status_embed() -> dict[str, Any]:
        message = fake_discord.get_message(shown["id"]) or {"embeds": [{}]}
        embed: dict[str, Any] = message["embeds"][0]
        return embed

    await fake_discord.wait_for(
        lambda: "live" in status_embed().get("title", "").lower(), 20, what="the odd status"
    )
    embed = status_embed()
    assert renders_literally(embed["title"])
    status_field = next(f for f in embed["fields"] if "LIVE" in f["value"])
    assert renders_literally(status_field["value"])
