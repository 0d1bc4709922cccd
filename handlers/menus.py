"""The command menus Telegram shows, in Arabic and English; admin commands for admins only.

The default scope gets the subscriber commands; each admin's private chat
(`BotCommandScopeChat`) gets those plus the admin commands, so nobody else
even sees that admin commands exist.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from handlers.context import BotApplication
from handlers.i18n import COMMANDS

log = logging.getLogger(__name__)

SUBSCRIBER_COMMANDS = (
    "start",
    "help",
    "latest",
    "top",
    "tags",
    "follow",
    "unfollow",
    "following",
    "digest",
    "search",
    "lang",
    "stop",
)
ADMIN_COMMANDS = (
    "stats",
    "pause",
    "resume",
    "post",
    "preview",
    "skip",
    "delete",
    "sources",
    "addsource",
    "removesource",
    "broadcast",
    "schedule",
    "audit",
)


def menu(names: Sequence[str], language: str) -> list[BotCommand]:
    """The commands with their descriptions in `language`."""
    return [BotCommand(name, COMMANDS[language][name]) for name in names]


async def set_menus(
    application: BotApplication, admin_ids: Sequence[int], default_language: str
) -> None:
    """Register the menus; a failure is logged, never fatal (the bot works without them)."""
    everyone = SUBSCRIBER_COMMANDS
    admins = SUBSCRIBER_COMMANDS + ADMIN_COMMANDS
    scopes: list[tuple[BotCommandScope, Sequence[str]]] = [(BotCommandScopeDefault(), everyone)]
    scopes += [(BotCommandScopeChat(admin_id), admins) for admin_id in admin_ids]
    try:
        for scope, names in scopes:
            await application.bot.set_my_commands(menu(names, default_language), scope=scope)
            for language in ("ar", "en"):
                await application.bot.set_my_commands(
                    menu(names, language), scope=scope, language_code=language
                )
    except TelegramError as exc:
        log.warning("could not set the command menus: %s", exc)
