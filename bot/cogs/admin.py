"""`/r2v-admin`: spend and tracking control, and the server's own settings, for members with
Manage Server or one of the bot's admin roles."""

from __future__ import annotations

import io
from typing import assert_never

import discord
from discord import app_commands
from discord.ext import commands

from bot.messages import tasks as task_text
from bot.messages import team as team_text
from bot.messages.features import spend_csv_note
from bot.messages.quota import admin_only, spend_text
from bot.policy import Moderators
from bot.queries import AlreadyEnded, NotInGuild, TaskQueries, Untracked
from bot.quota.accounts import Accounts
from bot.team.service import TeamSettingsService
from bot.team.values import Setting
from bot.ui.command_text import command_text
from bot.ui.interactions import actor_of, locale_of
from bot.ui.replies import reply

# The settings `/r2v-admin set` offers, named in each member's language.
SETTING_CHOICES = [
    app_commands.Choice(name=command_text(team_text.setting_key(s)), value=s.value) for s in Setting
]


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class AdminCog(
    commands.GroupCog,
    name="r2v-admin",
    group_name="r2v-admin",
    group_description=command_text("cmd-r2v-admin"),
):
    """Spend and tracking control for server managers."""

    def __init__(
        self,
        queries: TaskQueries,
        accounts: Accounts,
        *,
        team: TeamSettingsService,
        moderators: Moderators,
    ) -> None:
        self.queries = queries
        self.accounts = accounts
        self.team = team
        self.moderators = moderators
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_permissions is only a default that a server can change (to let the bot's
        # admin roles see the commands): who may is checked here.
        guild_id = interaction.guild_id
        if self.moderators.may_administer(guild_id, actor_of(interaction)):
            return True
        roles = self.moderators.admin_roles(guild_id)
        await reply(interaction, admin_only(locale_of(interaction), roles))
        return False

    @app_commands.command(name="spend", description=command_text("cmd-r2v-admin-spend"))
    @app_commands.describe(csv=command_text("opt-spend-csv"))
    async def spend(self, interaction: discord.Interaction, csv: bool = False) -> None:
        """This server's spend today and over the last 7 days, by member."""
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        report = spend_text(locale, await self.accounts.spend(interaction.guild_id))
        if not csv:
            await reply(interaction, report)
            return
        table = await self.accounts.spend_csv(interaction.guild_id)
        attachment = discord.File(io.BytesIO(table.encode()), filename="r2v-tasks.csv")
        await reply(interaction, f"{report}\n{spend_csv_note(locale)}", file=attachment)

    @app_commands.command(name="untrack", description=command_text("cmd-r2v-admin-untrack"))
    @app_commands.describe(task_id=command_text("opt-untrack-task-id"))
    async def untrack(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Stop following a task; the bot will not post its result."""
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        outcome = await self.queries.untrack(
            task_id.strip(), interaction.guild_id, interaction.user.id
        )
        match outcome:
            case Untracked(record):
                await reply(interaction, task_text.untracked(locale, record.task_id))
            case AlreadyEnded(record):
                await reply(interaction, task_text.already_ended(locale, record.task_id))
            case NotInGuild():
                await reply(interaction, task_text.not_in_guild(locale))
            case _:
                assert_never(outcome)

    # -- the server's own settings ---------------------------------------------------------------

    @app_commands.command(name="settings", description=command_text("cmd-r2v-admin-settings"))
    async def settings(self, interaction: discord.Interaction) -> None:
        """This server's limits and defaults: the ones set here, and the environment's."""
        assert interaction.guild_id is not None
        overview = await self.team.overview(interaction.guild_id)
        await reply(
            interaction,
            team_text.overview(locale_of(interaction), overview, self.accounts.currency),
        )

    @app_commands.command(name="set", description=command_text("cmd-r2v-admin-set"))
    @app_commands.describe(
        setting=command_text("opt-setting"), value=command_text("opt-setting-value")
    )
    @app_commands.choices(setting=SETTING_CHOICES)
    async def set_(
        self,
        interaction: discord.Interaction,
        setting: app_commands.Choice[str],
        value: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """Change one of this server's limits or defaults, for every command from now on."""
        assert interaction.guild_id is not None
        chosen = Setting(setting.value)
        outcome = await self.team.change(
            interaction.guild_id, chosen, value, changed_by=interaction.user.id
        )
        locale = locale_of(interaction)
        answer = team_text.changed(locale, chosen, outcome, self.accounts.currency, value)
        await reply(interaction, answer)
