"""The `r2v-bot` command: with no subcommand it runs the bot; `check`, `status` and `backup`
are the operator's tools, which use the same settings, client and (redacting) log lines.

    r2v-bot                 run the bot
    r2v-bot --version       r2v-bot <version>, with no settings needed
    r2v-bot check           is the Discord token accepted, is the API key accepted?
    r2v-bot status TASK_ID  a task's live status, queried now (exit 1: unknown or no answer)
    r2v-bot backup FILE     a consistent copy of the SQLite store, while the bot runs
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import aiohttp

from bot import cli_text
from bot.api.client import BailianClient
from bot.api.errors import ApiError, AuthenticationError, NotFoundError
from bot.api.models import TaskStatus
from bot.app import main as run_bot
from bot.config import Config, load_settings
from bot.logging_setup import configure_logging
from bot.store.backup import BackupFailed, backup_sqlite, pg_dump_command
from bot.version import version

log = logging.getLogger(__name__)

DISCORD_API = "https://discord.com/api/v10"
# An id no task has: the answer tells an accepted key (unknown task) from a refused one (401).
PROBE_TASK_ID = "r2v-bot-check-00000000"
# How long `check` and `status` wait for each service. The session's total bounds the Discord
# probe; the API client's requests carry their own timeouts and retries, so its calls are bounded
# as a whole.
CHECK_TIME_LIMIT_S = 30.0
CHECK_TIMEOUT = aiohttp.ClientTimeout(total=CHECK_TIME_LIMIT_S)

Print = Callable[[str], None]


def _say(line: str) -> None:
    """The commands' findings, one log line each, redacted like the bot's."""
    log.info(line)


async def check(
    config: Config, say: Print = _say, *, time_limit_s: float = CHECK_TIME_LIMIT_S
) -> int:
    """One line each for the Discord token and the API key; 0 when both are accepted."""
    async with aiohttp.ClientSession(timeout=CHECK_TIMEOUT) as http:
        discord_ok = await _check_discord(http, config, say)
        api_ok = await _check_api(http, config, say, time_limit_s)
    return 0 if discord_ok and api_ok else 1


async def _check_discord(http: aiohttp.ClientSession, config: Config, say: Print) -> bool:
    base = (config.discord.api_base or DISCORD_API).rstrip("/")
    headers = {"Authorization": f"Bot {config.discord.token}"}
    try:
        async with http.get(f"{base}/users/@me", headers=headers) as response:
            status = response.status
            body = await response.json(content_type=None) if status == 200 else {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        say(cli_text.discord_unreachable(base, type(error).__name__))
        return False
    if status == 200 and isinstance(body, dict):
        say(cli_text.discord_accepted(str(body.get("username", "?")), str(body.get("id", "?"))))
        return True
    if status == 401:
        say(cli_text.DISCORD_REFUSED)
    else:
        say(cli_text.discord_answered(status))
    return False


async def _check_api(
    http: aiohttp.ClientSession, config: Config, say: Print, time_limit_s: float
) -> bool:
    client = BailianClient.from_settings(http, config.api)
    try:
        async with asyncio.timeout(time_limit_s):
            await client.get_task(PROBE_TASK_ID)
    except TimeoutError:
        say(cli_text.api_failed(config.api.base_url, cli_text.no_answer_within(time_limit_s)))
        return False
    except AuthenticationError as error:
        say(cli_text.api_key_refused(error.status))
        return False
    except NotFoundError:
        pass  # the key was accepted; the proxy answers 404 for a task it does not have
    except ApiError as error:
        say(cli_text.api_failed(config.api.base_url, str(error)))
        return False
    say(cli_text.api_key_accepted(config.api.base_url))
    return True


async def status(
    config: Config, task_id: str, say: Print = _say, *, time_limit_s: float = CHECK_TIME_LIMIT_S
) -> int:
    """A task's live status; 0 when the service answered about a task it knows, 1 when it does
    not know it (UNKNOWN, or 404) or did not answer."""
    async with aiohttp.ClientSession(timeout=CHECK_TIMEOUT) as http:
        try:
            async with asyncio.timeout(time_limit_s):
                result = await BailianClient.from_settings(http, config.api).get_task(task_id)
        except TimeoutError:
            say(cli_text.api_failed(config.api.base_url, cli_text.no_answer_within(time_limit_s)))
            return 1
        except NotFoundError:
            say(cli_text.unknown_task(task_id))
            return 1
        except ApiError as error:
            say(cli_text.api_failed(config.api.base_url, str(error)))
            return 1
    if result.status is TaskStatus.UNKNOWN:
        say(cli_text.unknown_task(task_id))
        return 1
    for line in cli_text.task_lines(result):
        say(line)
    return 0


def backup(config: Config, target: Path, say: Print = _say) -> int:
    """A consistent copy of the SQLite store at `target` (0); with PostgreSQL, the pg_dump
    command to run instead (1: nothing was written)."""
    if config.store.database_url:
        say(cli_text.BACKUP_WITH_PG_DUMP)
        say(pg_dump_command(config.store.database_url, target))
        return 1
    try:
        done = backup_sqlite(config.store.db_path, target)
    except BackupFailed as error:
        say(cli_text.backup_failed(str(error)))
        return 1
    say(cli_text.backed_up(config.store.db_path, done.path, done.tasks, done.size_bytes))
    return 0


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="r2v-bot", description="The r2v Discord bot.")
    parse.add_argument("--version", action="version", version=f"r2v-bot {version()}")
    commands = parse.add_subparsers(dest="command")
    commands.add_parser("check", help="check the Discord token and the API key")
    show = commands.add_parser("status", help="print a task's live status")
    show.add_argument("task_id")
    copy = commands.add_parser(
        "backup", help="write a consistent copy of the task database (SQLite), even while it runs"
    )
    copy.add_argument("file", type=Path)
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """`r2v-bot` and `python -m bot`."""
    args = parser().parse_args(argv)
    if args.command is None:
        return run_bot()
    config = load_settings()
    if config is None:
        return 2
    # The commands' findings are their output: shown even when LOG_LEVEL hides the bot's INFO.
    level = min(logging.getLevelName(config.log_level), logging.INFO)
    configure_logging(logging.getLevelName(level), config.secrets)
    if args.command == "check":
        return asyncio.run(check(config))
    if args.command == "backup":
        return backup(config, args.file)
    return asyncio.run(status(config, args.task_id))
