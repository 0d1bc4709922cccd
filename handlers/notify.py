"""Messages the bot sends the admins unprompted: approval requests and alerts.

They go to `NASHIR_ADMIN_CHAT_ID` when set, else to each admin's private chat.
An admin who never started the bot cannot be written to; that is logged and
the others still get the message.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.approval import Approval
from bot.formatting.options import TELEGRAM_MESSAGE_LIMIT
from bot.model import Article, Destination, Platform
from bot.text.summary import shorten
from bot.text.telegram_html import visible_length
from handlers.context import BotApplication, Services
from handlers.i18n import text

log = logging.getLogger(__name__)

MAX_NAMES = 5  # destinations named in an approval request; the rest are counted
MAX_TITLE = 300  # characters of headline when the whole post does not fit


def admin_chats(services: Services) -> list[int]:
    """Where unprompted admin messages go."""
    chat = services.app.settings.admin_chat_id
    return [chat] if chat is not None else sorted(services.admin_ids)


async def tell_admins(
    application: BotApplication,
    services: Services,
    message: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    html_mode: bool = False,
) -> int:
    """Send `message` to the admins; returns how many chats got it."""
    sent = 0
    for chat in admin_chats(services):
        try:
            await application.bot.send_message(
                chat,
                message,
                reply_markup=markup,
                parse_mode=ParseMode.HTML if html_mode else None,
                link_preview_options=None,
            )
            sent += 1
        except TelegramError as exc:
            log.warning("could not write to admin chat %s: %s", chat, exc)
    return sent


def approval_keyboard(services: Services, article_id: int, lang: str) -> InlineKeyboardMarkup:
    """✅ ✏️ ❌ for one article."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(lang, "approve"), callback_data=services.sign(f"ap:ok:{article_id}")
                ),
                InlineKeyboardButton(
                    text(lang, "edit"), callback_data=services.sign(f"ap:ed:{article_id}")
                ),
                InlineKeyboardButton(
                    text(lang, "drop"), callback_data=services.sign(f"ap:no:{article_id}")
                ),
            ]
        ]
    )


async def approval_request(
    application: BotApplication,
    services: Services,
    article: Article,
    destinations: Sequence[Destination],
) -> None:
    """Show the admins the post as it will appear, with the three buttons."""
    lang = services.app.settings.language
    channel = next((d for d in destinations if d.platform is Platform.TELEGRAM), destinations[0])
    post = await services.app.renderer.article_post(article, channel)
    names = destination_names(destinations)
    body = post.text if post.platform is Platform.TELEGRAM else html.escape(post.text)
    message = text(lang, "approval_request", destinations=names, post=body)
    if visible_length(message) > TELEGRAM_MESSAGE_LIMIT:
        # The post fills a message on its own: show its headline and link instead,
        # or the request would be refused as too long and the post held unseen.
        short = f"<b>{html.escape(shorten(article.title, MAX_TITLE))}</b>\n{html.escape(post.link)}"
        message = text(lang, "approval_request", destinations=names, post=short)
    await tell_admins(
        application,
        services,
        message,
        markup=approval_keyboard(services, article.id, lang),
        html_mode=True,
    )


def destination_names(destinations: Sequence[Destination]) -> str:
    """The first few destinations by address, then how many more."""
    names = [html.escape(d.address if d.platform is not Platform.X else "X") for d in destinations]
    shown = ", ".join(names[:MAX_NAMES])
    return shown if len(names) <= MAX_NAMES else f"{shown} (+{len(names) - MAX_NAMES})"


def connect(application: BotApplication, services: Services) -> None:
    """Let approval and alerts reach the admins through this bot."""
    app = services.app
    approval: Approval | None = getattr(app, "approval", None)
    if approval is not None:

        async def ask(article: Article, destinations: Sequence[Destination]) -> None:
            await approval_request(application, services, article, destinations)

        approval.ask = ask
    alerts = getattr(app, "alerts", None)
    if alerts is not None:

        async def send(message: str) -> None:
            await tell_admins(application, services, message)

        alerts.send = send
