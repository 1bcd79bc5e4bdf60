"""Every ending, refusal and query failure has its own words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.api.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from bot.api.models import TaskResult, TaskStatus
from bot.generation.request import GenerationRequest
from bot.messages.catalog import ENGLISH
from bot.messages.errors import describe_query_error, describe_submit_error
from bot.messages.limits import describe_wait
from bot.messages.tasks import ending_text, history_line, known_status
from bot.store.records import Ending, Origin, TaskRecord

REQUEST = GenerationRequest(
    model="wan2.6-r2v-flash",
    prompt="a **bold** _move_",
    references=(),
    size="1920*1080",
    duration=5,
)
RECORD = TaskRecord("t-1", Origin(1, 2, 3), REQUEST, created_at=0.0, deadline_at=1800.0)


def test_every_ending_reads_differently():
    texts = {ending: ending_text(ENGLISH, replace(RECORD, ending=ending)) for ending in Ending}
    assert len(set(texts.values())) == len(Ending)
    assert "30 min" in texts[Ending.DEADLINE]
    assert "/r2v status task_id:t-1" in texts[Ending.NO_VIDEO]


@pytest.mark.parametrize(
    "error",
    [
        ServerError(status=503, code=None, message="bad gateway", request_id="r1"),
        ApiTimeoutError("slow"),
        ApiConnectionError("down"),
        NotFoundError(status=404, code="NotFound", message="no such task", request_id=None),
        RateLimitError(
            status=429, code="Throttling", message="busy", request_id=None, retry_after=7
        ),
        AuthenticationError(status=401, code="InvalidApiKey", message="bad key", request_id=None),
    ],
)
def test_a_failed_query_never_speaks_of_a_submission(error):
    text = describe_query_error(ENGLISH, error)
    assert "submitted" not in text and "paying twice" not in text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(10, "10 s"), (119, "119 s"), (600, "10 min"), (3600, "1 h"), (5400, "1 h 30 min")],
)
def test_waits_are_read_at_a_glance(seconds, shown):
    assert describe_wait(ENGLISH, seconds) == shown


def test_history_lines_show_sizes_and_prompts_as_typed():
    line = history_line(ENGLISH, RECORD)
    assert "1920\\*1080" in line and "\\*\\*bold\\*\\*" in line and "\\_move\\_" in line


MARKDOWN_ECHO = "[free](https://evil.example)\n# Heading\n```\n@everyone"


def test_the_services_own_words_in_a_status_are_shown_as_written():
    result = TaskResult(
        "t1",
        TaskStatus.OTHER,
        "**[LIVE](https://evil.example)**",
        code="Odd`Code",
        message=MARKDOWN_ECHO,
        video_url="https://v.example/a)](https://evil.example",
    )

    shown = known_status(ENGLISH, result)

    status_line, details, link = shown.split("\n")
    assert "\\*\\*\\[LIVE\\](https://evil.example)\\*\\*" in status_line
    assert details == (
        "Odd\\`Code \\[free\\](https://evil.example) # Heading \\`\\`\\` @\u200beveryone"
    )
    assert link.startswith("<https://v.example/a%29%5D%28https://evil.example>")


def test_a_refusal_quoting_the_service_shows_its_words_as_written():
    error = InvalidRequestError(
        status=400, code="InvalidParameter", message=MARKDOWN_ECHO, request_id=None
    )

    said = describe_submit_error(ENGLISH, error)

    assert said.endswith("\\[free\\](https://evil.example) # Heading \\`\\`\\` @\u200beveryone")
