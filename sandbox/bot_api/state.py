"""The state every method group of the fake Bot API shares, and its one lock.

`FakeTelegram` is assembled from mixins (chats, flood control, faults, messages,
updates ...) that all read and write this state; declaring it in one base class
keeps the whole of it, and what `reset` forgets, visible in one place.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.bot_api.models import (
    DEFAULT_UPDATE_TYPES,
    JSON,
    Chat,
    FloodLimits,
    TelegramFault,
    User,
    Webhook,
    WebhookDelivery,
)
from sandbox.server import CallLog

__all__ = ["FakeState", "Handler", "MethodTable"]

Handler = Callable[[JSON], Any] | Callable[[JSON], Awaitable[Any]]
# Lower-case method name -> (canonical name, handler, whether the handler is async).
MethodTable = dict[str, tuple[str, Handler, bool]]


class FakeState:
    """The fake's state and its lock.

    The server thread writes it while tests read it from their own thread, so every
    method that touches it holds ``_lock``.
    """

    def __init__(
        self,
        token: str = "123456789:TEST-token_for_the_fake",
        *,
        bot_username: str = "nashir_test_bot",
        bot_name: str = "Nashir",
        strict_html: bool = True,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.strict_html = strict_html
        self.webhook_retry_delay = webhook_retry_delay
        self._lock = threading.RLock()
        self._log = CallLog()
        self._chats: dict[int, Chat] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, User] = {}
        self._channel_ids = itertools.count(1)
        self._flood = FloodLimits()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: set[asyncio.Event] = set()
        self._webhook_wakeup: asyncio.Event | None = None
        # Never restarted by reset(): a poller's offset must keep admitting new updates.
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._clear_state()

    def _clear_state(self) -> None:
        self._faults: list[TelegramFault] = []
        self._updates: list[JSON] = []
        self._pending_callbacks: set[str] = set()
        self._pending_inline: set[str] = set()
        self.callback_answers: dict[str, JSON] = {}
        self.inline_answers: dict[str, JSON] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._known_files: set[str] = set()
        self._webhook: Webhook | None = None
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._penalties: dict[int, float] = {}
        self._delivered: Counter[int] = Counter()
        self._texts: Counter[tuple[int, str]] = Counter()
        self._duplicates: list[tuple[int, str]] = []
        self._webhook_deliveries: list[WebhookDelivery] = []
        self.sent_count = 0
        self.count_429 = 0
        self.count_409 = 0  # getUpdates refused: another poller, or a webhook is set
        self.early_retries = 0

    def reset(self) -> None:
        """Forget calls, messages, updates, faults, webhook and counters; keep the chats.

        Flood limit settings stay as they were, so a benchmark can reset between runs.
        """
        with self._lock:
            self._log.clear()
            self._clear_state()
            for chat in self._chats.values():
                chat.messages.clear()
                if chat.migrated_to is not None:
                    chat.migrated_to = None
