"""Replies are never lost: they share the deliveries' rate limiter and wait out a 429.

Telegram allows one message a second to a private chat and 20 a minute to a
group, 30 a second overall. A reader who sends two commands within a second
would otherwise see the second reply refused with 429 and dropped, and the
error handler's apology refused the same way. So every message a handler
sends or edits (`LIMITED` endpoints carrying a ``chat_id``) is admitted by the
same `TelegramLimiter` as deliveries, in one place: PTB's rate-limiter hook,
`ReplyLimiter`. A 429 that still arrives (another process, or the server's
own view) holds the chat for exactly its ``retry_after`` and the request is
tried again, at most `ATTEMPTS` times and never after waiting more than
`MAX_WAIT` seconds, so an apology that cannot go is given up, not retried
forever.

Deliveries reach the same bot object but are admitted by the delivery
worker before they call it; the hook admits only what is sent while an
update is handled, which `UserLanes` marks. `UserLanes` also keeps one
user's updates in order (a burst of commands is answered in the order sent)
while different users are served side by side, so one reader's waits never
hold up another's replies.
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Final

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor
from telegram.warnings import PTBDeprecationWarning

from bot.core.ratelimit import ChatKind, TelegramLimiter

log = logging.getLogger(__name__)

LIMITED: Final = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAnimation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "sendMediaGroup",
        "sendLocation",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)
ATTEMPTS: Final = 3
MAX_WAIT: Final = 65.0  # a group's whole minute (stretched by the limiter's safety margin)
CONCURRENT_UPDATES: Final = 256

_handling: ContextVar[bool] = ContextVar("nashir_handling_update", default=False)


def handling_update() -> bool:
    """True while an update is being handled (replies), False for deliveries and jobs."""
    return _handling.get()


def chat_kind(chat_id: object) -> ChatKind:
    """Private chats have the user's (positive) id; groups and channels negative ids or names."""
    if isinstance(chat_id, int) or (isinstance(chat_id, str) and chat_id.isdigit()):
        return ChatKind.PRIVATE if int(chat_id) > 0 else ChatKind.GROUP
    return ChatKind.GROUP


def seconds_of(exc: RetryAfter) -> float:
    """The ``retry_after`` of a 429 in seconds, whichever type this PTB version hands out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _retry_after(seconds: int) -> RetryAfter:
    """The 429 a reply held on our side is given up with (PTB warns while building one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(timedelta(seconds=seconds))


class ReplyLimiter(BaseRateLimiter[None]):
    """Admits the messages handlers send through the shared `TelegramLimiter`."""

    def __init__(
        self,
        limiter: TelegramLimiter,
        *,
        attempts: int = ATTEMPTS,
        max_wait: float = MAX_WAIT,
        handling: Callable[[], bool] = handling_update,
    ) -> None:
        self.limiter = limiter
        self.attempts = attempts
        self.max_wait = max_wait
        self._handling = handling

    async def initialize(self) -> None:
        """Nothing to open: the limiter belongs to the app."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send when the chat may receive; on a 429 hold the chat and try again, a few times."""
        chat = data.get("chat_id")
        if chat is None or endpoint not in LIMITED or not self._handling():
            return await callback(*args, **kwargs)
        key, kind = str(chat), chat_kind(chat)
        attempt = 0
        while True:
            attempt += 1
            wait = await self.limiter.acquire(key, kind, max_wait=self.max_wait)
            if wait is not None:
                log.info("reply to chat %s given up: the chat is held %.0fs more", key, wait)
                raise _retry_after(math.ceil(wait))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = seconds_of(exc)
                self.limiter.penalize(key, seconds)
                if attempt >= self.attempts or seconds > self.max_wait:
                    log.info("reply to chat %s given up after %d attempts", key, attempt)
                    raise
                log.info("reply to chat %s rate limited: waiting %.0fs as asked", key, seconds)


class UserLanes(BaseUpdateProcessor):
    """One lane per user: their updates in the order sent, other users' alongside."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._lanes: dict[int | None, tuple[asyncio.Lock, int]] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close: the application waits for running updates itself."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the user's earlier updates, then handle this one with replies admitted."""
        key = lane_of(update)
        lock, users = self._lanes.get(key) or (asyncio.Lock(), 0)
        self._lanes[key] = (lock, users + 1)
        try:
            async with lock:
                _handling.set(True)
                await coroutine
        finally:
            lock, users = self._lanes[key]
            if users <= 1:
                del self._lanes[key]
            else:
                self._lanes[key] = (lock, users - 1)

    @property
    def lanes(self) -> int:
        """Users with updates in hand (for tests of flat memory)."""
        return len(self._lanes)


def lane_of(update: object) -> int | None:
    """The user an update comes from, else its chat; None for anything else (one shared lane)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None
