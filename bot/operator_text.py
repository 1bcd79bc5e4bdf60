"""Sentences for the operator who starts the bot (stderr and the log), apart from the settings
errors, which `bot.config` words next to the variables they name."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from bot.policy import LimitBook, LimitSettings
from bot.store.protocol import SchemaTooNew


def store_unusable(path: Path, error: BaseException) -> str:
    """Why the task database cannot be opened, and what to do; `error` is what opening raised
    (sqlite3.Error, OSError, or the store's SchemaTooNew)."""
    elsewhere = "or set R2V_DB_PATH to another file"
    text = str(error).lower()
    if isinstance(error, SchemaTooNew):
        return (
            f"the task database {path} was written by a newer r2v-bot than this one: "
            f"upgrade the bot, {elsewhere}."
        )
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text
    ):
        return (
            f"{path} is not a usable SQLite database (corrupt, or another kind of file): move it "
            f"away so the bot creates a new one, {elsewhere}."
        )
    if isinstance(error, PermissionError) or "readonly" in text or "unable to open" in text:
        return (
            f"cannot write the task database {path} ({error}): make the file and its folder "
            f"writable for the user running the bot, {elsewhere}."
        )
    return f"cannot open the task database {path} ({error}): fix that, {elsewhere}."


def guild_sync_refused(guild_id: int, status: int, reason: str) -> str:
    """Discord answered `status` (403: the bot is not in that server, or lacks the scope)."""
    if status == 403:
        return (
            f"cannot register the commands in server {guild_id} (Discord: {status} {reason}): "
            "invite the bot there with the invite link logged at start-up, or remove that id "
            "from DISCORD_GUILD_IDS."
        )
    return f"cannot register the commands in server {guild_id} (Discord: {status} {reason})."


def global_sync_refused(status: int, reason: str) -> str:
    return f"cannot register the commands globally (Discord: {status} {reason})."


def registered_globally_for_lack_of_guilds() -> str:
    return (
        "no DISCORD_GUILD_IDS set, so the commands are registered globally: they reach every "
        "server the bot is in, but Discord may take up to an hour to show them; set "
        "DISCORD_GUILD_IDS=<server id> to see them at once in that server."
    )


def registered_nowhere() -> str:
    return (
        "DISCORD_SYNC_GLOBAL=false and no DISCORD_GUILD_IDS: the commands are registered "
        "nowhere, so nobody sees /r2v; set DISCORD_GUILD_IDS=<server id>, or leave "
        "DISCORD_SYNC_GLOBAL empty."
    )


def online(bot_name: str, servers: int, registered_in: Sequence[str]) -> str:
    where = ", ".join(registered_in) if registered_in else "nowhere"
    return f"online as {bot_name} in {servers} server(s); commands registered {where}."


def invite(url: str) -> str:
    return f"invite the bot to a server with {url}"


def discord_unreachable(why: str, attempt: int, delay_s: float) -> str:
    return (
        f"Discord cannot be reached ({why}); trying again in {delay_s:.0f} s "
        f"(attempt {attempt}, the bot waits for it)"
    )


def sync_unreachable(where: str, error: BaseException) -> str:
    return (
        f"could not register the commands {where}: Discord could not be reached "
        f"({type(error).__name__}); they are registered at the next start"
    )


def token_refused() -> str:
    return (
        "Discord refused DISCORD_TOKEN; put a valid bot token in .env "
        "(Developer Portal → your app → Bot → Reset Token)."
    )


def shared_database_unusable(error: BaseException) -> str:
    """The PostgreSQL store (R2V_DATABASE_URL) could not be opened. The URL is not repeated: it
    may hold a password."""
    if isinstance(error, SchemaTooNew):
        return (
            "the PostgreSQL task database was written by a newer r2v-bot than this one: upgrade "
            "this process like the others (see README, Many servers)."
        )
    return (
        f"cannot open the PostgreSQL task database ({type(error).__name__}: {error}): check that "
        "the server runs and R2V_DATABASE_URL names it with a user that may create tables."
    )


def commands_synced_elsewhere(shard_ids: Sequence[int]) -> str:
    """This process does not hold shard 0: the process that does registers the commands."""
    shards = ", ".join(map(str, shard_ids))
    return f"running shard(s) {shards}; the process with shard 0 registers the commands."


def migrated(from_schema: int, to_schema: int) -> str:
    """The store's migrations ran at start: one line, whichever number of them."""
    if from_schema == 0:
        return f"task database created at schema {to_schema}"
    return f"task database migrated from schema {from_schema} to {to_schema} (one-way)"


def _caps_member_spend(limits: LimitSettings) -> bool:
    return limits.user_daily_seconds > 0 or limits.user_daily_amount > 0


def no_member_budget(book: LimitBook) -> str | None:
    """A warning when some member may spend without a daily cap: R2V_USER_DAILY_SECONDS and
    R2V_USER_DAILY_BUDGET both 0 by default (servers not in R2V_GUILD_LIMITS, and direct
    messages) or in a server's own R2V_GUILD_LIMITS. None when every member is capped."""
    open_by_default = not _caps_member_spend(book.default)
    open_servers = sorted(
        guild for guild, limits in book.by_guild.items() if not _caps_member_spend(limits)
    )
    if not open_by_default and not open_servers:
        return None
    servers = ", ".join(map(str, open_servers))
    if open_by_default:
        where = "by default (R2V_USER_DAILY_SECONDS and R2V_USER_DAILY_BUDGET are 0)"
        if open_servers:
            where += f" nor in server(s) {servers} (R2V_GUILD_LIMITS)"
        elif book.by_guild:
            where += ", except in the servers R2V_GUILD_LIMITS gives one"
    else:
        where = f"in server(s) {servers} (R2V_GUILD_LIMITS sets neither)"
    return (
        f"no per-member daily budget {where}: one member can spend without limit on the "
        "shared API key; set R2V_USER_DAILY_SECONDS or R2V_USER_DAILY_BUDGET (README, "
        "Running it for a team)."
    )


def http_addr_unusable(address: str, error: OSError) -> str:
    return (
        f"cannot serve /healthz and /metrics on {address} ({error.strerror or error}): choose "
        "another R2V_HTTP_ADDR, or leave it empty."
    )
