"""The command menus Telegram shows, in Arabic and English; admin commands for admins only.

Subscriber commands answer in private chats only, so their menu is scoped to
private chats (`BotCommandScopeAllPrivateChats`) and the default scope, which
groups see, is emptied. Each admin's private chat (`BotCommandScopeChat`)
gets the subscriber commands plus the admin ones, so nobody else even sees
that admin commands exist. Each scope is set on its own: an admin whose chat
Telegram refuses (they never started the bot) is logged and skipped, and the
other admins still get their menus.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
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
    "settings",
    "lang",
    "privacy",
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
    "revisions",
)


def menu(names: Sequence[str], language: str) -> list[BotCommand]:
    """The commands with their descriptions in `language`."""
    return [BotCommand(name, COMMANDS[language][name]) for name in names]


async def set_menus(
    application: BotApplication, admin_ids: Sequence[int], default_language: str
) -> int:
    """Register the menus; returns how many scopes failed (logged, never fatal)."""
    bot = application.bot
    failed = 0
    try:
        for language in (None, "ar", "en"):
            await bot.delete_my_commands(scope=BotCommandScopeDefault(), language_code=language)
    except TelegramError as exc:
        log.warning("could not clear the default command menu: %s", exc)
        failed += 1
    scopes: list[tuple[BotCommandScope, Sequence[str], str]] = [
        (BotCommandScopeAllPrivateChats(), SUBSCRIBER_COMMANDS, "private chats")
    ]
    scopes += [
        (BotCommandScopeChat(admin_id), SUBSCRIBER_COMMANDS + ADMIN_COMMANDS, f"admin {admin_id}")
        for admin_id in admin_ids
    ]
    for scope, names, label in scopes:
        try:
            await bot.set_my_commands(menu(names, default_language), scope=scope)
            for language in ("ar", "en"):
                await bot.set_my_commands(
                    menu(names, language), scope=scope, language_code=language
                )
        except TelegramError as exc:
            log.warning("could not set the command menu of %s: %s", label, exc)
            failed += 1
    return failed
