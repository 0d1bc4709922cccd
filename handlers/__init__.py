"""Telegram handlers: what subscribers and admins can say to the bot.

`register` lists every handler in one place; each handler is a short
coroutine that parses its arguments and calls one service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CommandHandler

from handlers import subscriber

if TYPE_CHECKING:
    from bot.app import App


def register(application: Application[Any, Any, Any, Any, Any, Any], app: App) -> None:
    """Attach every handler and make the app reachable from handlers."""
    application.bot_data["app"] = app
    application.add_handler(CommandHandler("start", subscriber.start))
    application.add_handler(CommandHandler("help", subscriber.help_command))
    application.add_handler(CommandHandler("latest", subscriber.latest))
