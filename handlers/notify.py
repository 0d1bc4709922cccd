"""Messages the bot sends the admins unprompted: approval requests and alerts.

They go to `NASHIR_ADMIN_CHAT_ID` when set, else to each admin's private chat.
An admin who never started the bot cannot be written to; that is logged and
the others still get the message.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.core.formatting.options import TELEGRAM_MESSAGE_LIMIT
from bot.core.model import Article, Destination, Platform
from bot.core.text.summary import shorten
from bot.core.text.telegram_html import visible_length
from bot.services.rendering import Renderer
from handlers.context import BotApplication
from handlers.i18n import text

log = logging.getLogger(__name__)

MAX_NAMES = 5  # destinations named in an approval request; the rest are counted
MAX_TITLE = 300  # characters of headline when the whole post does not fit


class AdminNotifier:
    """Reaches the admins through the bot: alerts and approval requests.

    Built by the bootstrap before the services that need it (`Alerts`,
    `Approval`), so nothing is wired into them afterwards.
    """

    def __init__(
        self,
        application: BotApplication,
        *,
        chats: Sequence[int],
        language: str,
        renderer: Renderer,
        sign: Callable[[str], str],
    ) -> None:
        self.application = application
        self.chats = list(chats)
        self.language = language
        self.renderer = renderer
        self.sign = sign

    async def send(self, message: str) -> None:
        """An alert: plain text to every admin chat."""
        await self.tell(message)

    async def tell(
        self, message: str, *, markup: InlineKeyboardMarkup | None = None, html_mode: bool = False
    ) -> int:
        """Send `message` to the admins; returns how many chats got it."""
        sent = 0
        for chat in self.chats:
            try:
                await self.application.bot.send_message(
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

    async def ask(self, article: Article, destinations: Sequence[Destination]) -> None:
        """Show the admins the post as it will appear, with the three buttons."""
        lang = self.language
        channel = next(
            (d for d in destinations if d.platform is Platform.TELEGRAM), destinations[0]
        )
        post = await self.renderer.article_post(article, channel)
        names = destination_names(destinations)
        body = post.text if post.platform is Platform.TELEGRAM else html.escape(post.text)
        message = text(lang, "approval_request", destinations=names, post=body)
        if visible_length(message) > TELEGRAM_MESSAGE_LIMIT:
            # The post fills a message on its own: show its headline and link instead,
            # or the request would be refused as too long and the post held unseen.
            title = html.escape(shorten(article.title, MAX_TITLE))
            short = f"<b>{title}</b>\n{html.escape(post.link)}"
            message = text(lang, "approval_request", destinations=names, post=short)
        await self.tell(
            message, markup=approval_keyboard(self.sign, article.id, lang), html_mode=True
        )


def admin_chats(admin_chat_id: int | None, admin_ids: Iterable[int]) -> list[int]:
    """Where unprompted admin messages go: the admin chat, else each admin's private chat."""
    return [admin_chat_id] if admin_chat_id is not None else sorted(admin_ids)


def approval_keyboard(
    sign: Callable[[str], str], article_id: int, lang: str
) -> InlineKeyboardMarkup:
    """✅ ✏️ ❌ for one article."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(lang, "approve"), callback_data=sign(f"ap:ok:{article_id}")
                ),
                InlineKeyboardButton(text(lang, "edit"), callback_data=sign(f"ap:ed:{article_id}")),
                InlineKeyboardButton(text(lang, "drop"), callback_data=sign(f"ap:no:{article_id}")),
            ]
        ]
    )


def destination_names(destinations: Sequence[Destination]) -> str:
    """The first few destinations by address, then how many more."""
    names = [html.escape(d.address if d.platform is not Platform.X else "X") for d in destinations]
    shown = ", ".join(names[:MAX_NAMES])
    return shown if len(names) <= MAX_NAMES else f"{shown} (+{len(names) - MAX_NAMES})"
