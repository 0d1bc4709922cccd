"""Commands for subscribers: /start, /help, /latest."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, cast

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.storage.repositories import ArticleRepository
from handlers.i18n import language_of, text

if TYPE_CHECKING:
    from bot.app import App

LATEST_DEFAULT = 5
LATEST_MAX = 10


def _app(context: ContextTypes.DEFAULT_TYPE) -> App:
    return cast("App", context.bot_data["app"])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet a new reader and say what the bot does."""
    if update.effective_message is None:
        return
    language = language_of(update, _app(context).settings.language)
    await update.effective_message.reply_text(text(language, "welcome"))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_message is None:
        return
    language = language_of(update, _app(context).settings.language)
    await update.effective_message.reply_text(text(language, "help"))


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The newest headlines as links; `/latest 3` for fewer."""
    message = update.effective_message
    if message is None:
        return
    app = _app(context)
    language = language_of(update, app.settings.language)
    count = LATEST_DEFAULT
    if context.args:
        raw = context.args[0]
        if not raw.isdigit() or not 1 <= int(raw) <= LATEST_MAX:
            await message.reply_text(text(language, "bad_number", max=LATEST_MAX))
            return
        count = int(raw)
    async with app.db.session() as session:
        articles = await ArticleRepository(session).latest(count)
    if not articles:
        await message.reply_text(text(language, "latest_none"))
        return
    lines = [f"<b>{text(language, 'latest_title')}</b>"]
    lines += [
        f'• <a href="{html.escape(a.url, quote=True)}">{html.escape(a.title)}</a>' for a in articles
    ]
    await message.reply_text(
        "\n".join(lines),
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
