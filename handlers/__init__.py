"""Telegram handlers: what subscribers and admins can say to the bot.

`register` lists every handler in one place; each handler is a short
coroutine that parses its arguments and calls one service, reached through
the typed `BotContext`. Commands work in private chats only: in groups a
command addressed to the bot gets a pointer to the private chat, channel
posts and edited messages are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.adapters.web import WebServer
from handlers import admin, callbacks, inline, preferences, search, subscriber, tags
from handlers.context import BotApplication, Services
from handlers.errors import on_error
from handlers.menus import set_menus
from handlers.webhook import set_webhook, webhook_path, webhook_routes

SUBSCRIBER = {
    "start": subscriber.start,
    "help": subscriber.help_command,
    "latest": subscriber.latest,
    "top": subscriber.top,
    "tags": tags.tags,
    "follow": tags.follow,
    "unfollow": tags.unfollow,
    "following": tags.following,
    "digest": subscriber.digest,
    "search": search.search,
    "settings": preferences.settings,
    "lang": subscriber.lang_command,
    "privacy": preferences.privacy,
    "stop": subscriber.stop,
}
ADMIN = {
    "stats": admin.stats,
    "pause": admin.pause,
    "resume": admin.resume,
    "post": admin.post,
    "preview": admin.preview,
    "skip": admin.skip,
    "delete": admin.delete,
    "sources": admin.sources,
    "addsource": admin.addsource,
    "removesource": admin.removesource,
    "broadcast": admin.broadcast,
    "schedule": admin.schedule,
    "audit": admin.audit,
    "revisions": admin.revisions,
}


def register(
    application: Any,
    services: Services,
    *,
    webhook: tuple[str, str] | None = None,
    web: WebServer | None = None,
) -> None:
    """Attach every handler and the services they use; in webhook mode, its route on `web`."""
    application.bot_data["services"] = services
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    for name, callback in {**SUBSCRIBER, **ADMIN}.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(MessageHandler(private & filters.COMMAND, subscriber.unknown))
    application.add_handler(MessageHandler(private, subscriber.not_a_command))
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & filters.COMMAND,
            subscriber.in_group,
        )
    )
    application.add_handler(CallbackQueryHandler(callbacks.button))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_error_handler(on_error)
    if webhook is not None and web is not None:
        url, secret = webhook
        web.add(webhook_routes(application, webhook_path(url), secret))


async def on_start(
    application: BotApplication,
    *,
    admin_ids: Sequence[int],
    language: str,
    webhook: tuple[str, str] | None = None,
) -> None:
    """After the Telegram application started: menus, and the webhook in webhook mode."""
    await set_menus(application, admin_ids, language)
    if webhook is not None:
        await set_webhook(application, *webhook)
