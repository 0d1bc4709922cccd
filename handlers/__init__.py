"""Telegram handlers: what subscribers and admins can say to the bot.

`register` lists every handler in one place; each handler is a short
coroutine that parses its arguments and calls one service, reached through
the typed `BotContext`. Commands work in private chats only: in groups a
command addressed to the bot gets a pointer to the private chat, channel
posts and edited messages are ignored.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.admin_service import AdminService
from bot.search import Search
from bot.subscribers import Subscribers
from handlers import admin, callbacks, inline, notify, search, subscriber, tags
from handlers.context import BotApplication, Services
from handlers.errors import on_error
from handlers.menus import set_menus
from handlers.webhook import set_webhook, webhook_path, webhook_routes

if TYPE_CHECKING:
    from bot.app import App

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
    "lang": subscriber.lang_command,
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
}


def register(application: Any, app: App) -> None:
    """Attach every handler and the services they use."""
    token = app.settings.telegram_bot_token
    secret = token.get_secret_value() if token is not None else secrets.token_hex(16)
    services = Services(
        app=app,
        subscribers=Subscribers(app.db, app.clock),
        search=Search(app.db),
        admin=AdminService(app),
        callback_key=hashlib.sha256(b"nashir-buttons:" + secret.encode()).digest(),
        admin_ids=frozenset(app.settings.admin_ids),
    )
    application.bot_data["services"] = services
    application.bot_data["app"] = app
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
    notify.connect(application, services)
    if app.webhook_url is not None and app.web is not None:
        app.web.add(webhook_routes(application, webhook_path(app.webhook_url), app.webhook_secret))


async def on_start(app: App) -> None:
    """After the Telegram application started: menus, and the webhook in webhook mode."""
    application: BotApplication | None = app.telegram
    if application is None:
        return
    await set_menus(application, app.settings.admin_ids, app.settings.language)
    if app.webhook_url is not None:
        await set_webhook(application, app.webhook_url, app.webhook_secret)
