"""Telegram adapter: posts through python-telegram-bot, errors mapped to `bot.core.errors`.

Posts use HTML parse mode; a post with an image is a photo with a caption,
one without is a text message whose link preview shows the article. A
destination address is a chat id or `@channel`; forum topics carry their
thread id and are sent with `message_thread_id`. Rate limits are not this
module's business: `bot.core.ratelimit` paces the delivery worker before it calls
here, and a 429 comes back as `RateLimited` with Telegram's `retry_after`.
"""

from __future__ import annotations

import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.core.errors import (
    ChatMoved,
    DestinationGone,
    MarkupRejected,
    PublishError,
    RateLimited,
    RecipientGone,
    Rejected,
    TransientError,
)
from bot.core.model import Destination, Platform, Post

log = logging.getLogger(__name__)

T = TypeVar("T")

_RECIPIENT_GONE = ("blocked by the user", "user is deactivated", "bot can't initiate")
_DESTINATION_GONE = (
    "chat not found",
    "kicked",
    "not a member",
    "bot was removed",
    "need administrator rights",
    "have no rights",
    "not enough rights",
    "channel_private",
    "group chat was deleted",
)
_MARKUP = (
    "can't parse entities",
    "message is too long",
    "caption is too long",
    "entities_too_long",
    "text is too long",
)
_UNCHANGED = ("message is not modified",)
_ALREADY_GONE = ("message to delete not found", "message can't be deleted")


class TelegramPublisher:
    """Publishes to Telegram chats; one instance shares the bot's HTTP pool."""

    platform = Platform.TELEGRAM

    def __init__(
        self, bot: Bot, *, read_more_button: bool = True, paid_broadcast: bool = False
    ) -> None:
        self.bot = bot
        self.read_more_button = read_more_button
        # Paid broadcasts lift the overall limit to 1000 messages a second, billed in Stars.
        self.paid_broadcast = paid_broadcast

    async def send(self, destination: Destination, post: Post) -> str:
        """Send the HTML post (photo with caption when it has an image)."""
        return await self._send(destination, post, plain=False)

    async def send_plain(self, destination: Destination, post: Post) -> str:
        """Send the post's plain-text fallback, no parse mode."""
        return await self._send(destination, post, plain=True)

    async def edit(self, destination: Destination, message_id: str, post: Post) -> None:
        """Edit the caption of a photo post or the text of a text post in place."""
        chat = chat_id(destination)
        if post.image:
            call = self.bot.edit_message_caption(
                chat_id=chat,
                message_id=int(message_id),
                caption=post.text,
                parse_mode=ParseMode.HTML,
                reply_markup=self._markup(post),
            )
        else:
            call = self.bot.edit_message_text(
                chat_id=chat,
                message_id=int(message_id),
                text=post.text,
                parse_mode=ParseMode.HTML,
                reply_markup=self._markup(post),
                link_preview_options=LinkPreviewOptions(url=post.link),
            )
        try:
            await _translated(call)
        except Rejected as exc:
            if not any(part in str(exc).lower() for part in _UNCHANGED):
                raise

    async def delete(self, destination: Destination, message_id: str) -> None:
        """Delete a post; one that is already gone counts as deleted."""
        try:
            await _translated(
                self.bot.delete_message(chat_id=chat_id(destination), message_id=int(message_id))
            )
        except Rejected as exc:
            if not any(part in str(exc).lower() for part in _ALREADY_GONE):
                raise

    async def _send(self, destination: Destination, post: Post, *, plain: bool) -> str:
        chat = chat_id(destination)
        text = post.plain_text if plain else post.text
        parse_mode = None if plain else ParseMode.HTML
        markup = self._markup(post)
        thread = destination.thread_id
        call: Awaitable[Message]
        if post.image:
            call = self.bot.send_photo(
                chat_id=chat,
                photo=post.image,
                caption=text,
                parse_mode=parse_mode,
                reply_markup=markup,
                message_thread_id=thread,
                allow_paid_broadcast=self.paid_broadcast or None,
            )
        else:
            call = self.bot.send_message(
                chat_id=chat,
                text=text,
                parse_mode=parse_mode,
                reply_markup=markup,
                message_thread_id=thread,
                link_preview_options=LinkPreviewOptions(url=post.link) if post.link else None,
                allow_paid_broadcast=self.paid_broadcast or None,
            )
        message = await _translated(call)
        return str(message.message_id)

    def _markup(self, post: Post) -> InlineKeyboardMarkup | None:
        if not (self.read_more_button and post.button_text and post.button_url):
            return None
        return InlineKeyboardMarkup([[InlineKeyboardButton(post.button_text, url=post.button_url)]])


def chat_id(destination: Destination) -> int | str:
    """Telegram wants ints for numeric ids and strings for `@username`."""
    address = destination.address
    return int(address) if address.lstrip("-").isdigit() else address


async def _translated(call: Awaitable[T]) -> T:
    """Await a Bot API call, turning library errors into Nashir's tree."""
    try:
        return await call
    except RetryAfter as exc:
        raise RateLimited(
            f"Telegram flood control: {exc.message}", retry_after=_seconds(exc)
        ) from None
    except ChatMigrated as exc:
        raise ChatMoved(str(exc), new_chat_id=exc.new_chat_id) from None
    except Forbidden as exc:
        raise _forbidden(exc.message) from None
    except BadRequest as exc:
        raise _bad_request(exc.message) from None
    except (TimedOut, NetworkError) as exc:
        raise TransientError(f"Telegram unreachable: {exc.message}") from None
    except TelegramError as exc:
        raise Rejected(f"Telegram refused: {exc.message}") from None


def _forbidden(message: str) -> PublishError:
    lowered = message.lower()
    if any(part in lowered for part in _RECIPIENT_GONE):
        return RecipientGone(message, code=403)
    return DestinationGone(message, code=403)


def _bad_request(message: str) -> PublishError:
    lowered = message.lower()
    if any(part in lowered for part in _MARKUP):
        return MarkupRejected(message, code=400)
    if any(part in lowered for part in _DESTINATION_GONE):
        return DestinationGone(message, code=400)
    return Rejected(message, code=400)


def _seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds, whichever type this PTB version hands out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | dtm.timedelta = exc.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)
