"""The `r2v-bot` command: with no subcommand it runs the bot; `check` and `status` are the
operator's tools, which talk to Discord and the API through the same settings and client.

    r2v-bot                 run the bot
    r2v-bot check           is the Discord token accepted, is the API key accepted?
    r2v-bot status TASK_ID  a task's live status, queried now
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence

import aiohttp

from bot import cli_text
from bot.api.client import BailianClient
from bot.api.errors import ApiError, AuthenticationError, NotFoundError
from bot.app import main as run_bot
from bot.config import Config, load_settings

DISCORD_API = "https://discord.com/api/v10"
# An id no task has: the answer tells an accepted key (unknown task) from a refused one (401).
PROBE_TASK_ID = "r2v-bot-check-00000000"
# How long `check` and `status` wait for each service. The session's total bounds the Discord
# probe; the API client's requests carry their own timeouts and retries, so its calls are bounded
# as a whole.
CHECK_TIME_LIMIT_S = 30.0
CHECK_TIMEOUT = aiohttp.ClientTimeout(total=CHECK_TIME_LIMIT_S)

Print = Callable[[str], None]


async def check(
    config: Config, say: Print = print, *, time_limit_s: float = CHECK_TIME_LIMIT_S
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
    config: Config, task_id: str, say: Print = print, *, time_limit_s: float = CHECK_TIME_LIMIT_S
) -> int:
    """A task's live status; 0 when the service answered."""
    async with aiohttp.ClientSession(timeout=CHECK_TIMEOUT) as http:
        try:
            async with asyncio.timeout(time_limit_s):
                result = await BailianClient.from_settings(http, config.api).get_task(task_id)
        except TimeoutError:
            say(cli_text.api_failed(config.api.base_url, cli_text.no_answer_within(time_limit_s)))
            return 1
        except ApiError as error:
            say(cli_text.api_failed(config.api.base_url, str(error)))
            return 1
    for line in cli_text.task_lines(result):
        say(line)
    return 0


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="r2v-bot", description="The r2v Discord bot.")
    commands = parse.add_subparsers(dest="command")
    commands.add_parser("check", help="check the Discord token and the API key")
    show = commands.add_parser("status", help="print a task's live status")
    show.add_argument("task_id")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """`r2v-bot` and `python -m bot`."""
    args = parser().parse_args(argv)
    if args.command is None:
        return run_bot()
    config = load_settings()
    if config is None:
        return 2
    if args.command == "check":
        return asyncio.run(check(config))
    return asyncio.run(status(config, args.task_id))
