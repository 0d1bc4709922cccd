"""What a test reads back from the fake: calls, live messages, counters, queues.

Every view is a copy taken under the lock, so a test may keep and compare it
while the server thread goes on answering.
"""

from __future__ import annotations

import copy

from sandbox.bot_api.chats import Chats
from sandbox.bot_api.models import JSON, WebhookDelivery
from sandbox.server import Call, CallMatch

__all__ = ["Inspection"]


class Inspection(Chats):
    """Read-only views of the fake's state, and waiting for a call to arrive."""

    @property
    def calls(self) -> list[Call]:
        """Every request received so far, oldest first."""
        return self._log.snapshot()

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self._log.snapshot() if call.method.lower() == wanted]

    def messages(self, chat_id: int | str, *, include_users: bool = False) -> list[JSON]:
        """Live messages in a chat as readers see them: edits applied, deletions gone.

        Only the bot's own messages unless ``include_users``.
        """
        with self._lock:
            chat = self._resolve(chat_id)
            if chat is None:
                raise KeyError(chat_id)
            return [
                copy.deepcopy(message)
                for message in chat.messages.values()
                if include_users or not message.get("_from_user")
            ]

    def delivered(self, chat_id: int | str | None = None) -> int:
        """Messages successfully sent to one chat (or all chats); deletions don't subtract."""
        with self._lock:
            if chat_id is None:
                return self.sent_count
            chat = self._resolve(chat_id)
            return self._delivered[chat.id] if chat else 0

    def delivered_counts(self) -> dict[int, int]:
        """Messages successfully sent, per chat id."""
        with self._lock:
            return dict(self._delivered)

    def duplicates(self) -> list[tuple[int, str]]:
        """(chat id, text) pairs that were sent more than once: a broadcast bug."""
        with self._lock:
            return list(self._duplicates)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Attempts to push updates to the webhook, with the status it answered."""
        with self._lock:
            return list(self._webhook_deliveries)

    @property
    def waiting_polls(self) -> int:
        """How many long-polling getUpdates requests are waiting for an update."""
        return len(self._waiters)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates or accepted by the webhook."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def wait_for(self, match: CallMatch, timeout: float = 5.0) -> Call:
        """Block until a call matching a predicate or method name has been recorded."""
        return self._log.wait_for(match, timeout)

    async def wait_for_async(self, match: CallMatch, timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """Await a matching call without blocking the caller's event loop."""
        return await self._log.wait_for_async(match, timeout)
