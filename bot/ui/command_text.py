"""Command metadata in every language the bot speaks, through discord.py's translator.

Cogs write `command_text("cmd-r2v-generate")` where they would write a description: that is a
`locale_str` whose text is the catalog's English (what Discord shows by default) and whose key
names the catalog message. When the tree syncs, `CatalogTranslator` gives Discord each key's
text in the other catalogs as `description_localizations` / `name_localizations`, so each member
sees commands in their own Discord language.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.messages.catalog import ENGLISH, Arg, catalog_locale, text
from bot.messages.tasks import size_label_args


def command_text(key: str, **args: Arg) -> app_commands.locale_str:
    """A translatable command string: English now, other catalogs when synced."""
    return app_commands.locale_str(text(ENGLISH, key, **args), key=key, args=args)


def size_choice_name(size: str) -> app_commands.locale_str:
    """'1920×1080 · 1080P · 16:9 landscape', in each language."""
    return command_text("size-label", **size_label_args(size))


class CatalogTranslator(app_commands.Translator):
    """Command strings made by `command_text`, in every catalog but English (the default text
    Discord already has). Anything else is left untranslated."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        served = catalog_locale(locale.value)
        if not isinstance(key, str) or served is None or served == ENGLISH:
            return None
        args: dict[str, Arg] = string.extras.get("args") or {}
        return text(served, key, **args)
