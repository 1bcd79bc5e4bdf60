"""Where the API is, how to authenticate and how long to wait for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# The proxy documents one generic query route for every vendor.
QUERY_PATH_TEMPLATE: Final = "/task/{task_id}"


@dataclass(frozen=True)
class ApiTimeouts:
    """Connect is short (nothing was sent yet, so it is safe to retry); read is long because the
    proxy may hold a submit while it forwards it."""

    connect: float = 10.0
    read: float = 60.0


@dataclass(frozen=True, kw_only=True)
class ApiSettings:
    api_key: str = field(repr=False)
    base_url: str = "https://api.gpt.ge"
    query_path_template: str = QUERY_PATH_TEMPLATE
    # DashScope's `/api/v1/tasks/{task_id}/cancel`; empty when the proxy offers no cancel.
    cancel_path_template: str = ""
    timeouts: ApiTimeouts = ApiTimeouts()
