"""The bot's version, read once from the installed package's metadata (pyproject.toml's
`version`): `r2v-bot --version` and the User-Agent both say it."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version

DISTRIBUTION = "r2v-bot"


@cache
def version() -> str:
    """The installed version, e.g. "0.2.0"; "0+unknown" when the package is not installed
    (the source tree on PYTHONPATH without `pip install`)."""
    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


def user_agent() -> str:
    """What the bot's HTTP session sends as User-Agent."""
    return f"r2v-bot/{version()} (+aiohttp)"
