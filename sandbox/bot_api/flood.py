"""Flood control: Telegram's broadcast limits, answered with 429 and ``retry_after``.

Limits are sliding windows per chat and overall; a chat that was told to wait and
comes back early is refused again and counted in ``early_retries``, the figure
benchmarks report for a sender that does not respect ``retry_after``.
"""

from __future__ import annotations

import math
from collections import deque

from sandbox.bot_api.models import Chat, FloodLimits
from sandbox.bot_api.state import FakeState
from sandbox.bot_api.wire import ApiError

__all__ = ["FloodControl"]


class FloodControl(FakeState):
    """Checks each send against the limits and counts what was delivered."""

    def limits(
        self,
        enabled: bool = True,
        *,
        scale: float = 1.0,
        global_per_second: float = 30.0,
        private_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        paid_per_second: float = 1000.0,
    ) -> None:
        """Switch flood control on or off; ``scale`` multiplies every allowed rate.

        The defaults are Telegram's published broadcast limits. With ``scale=100``
        a benchmark may send 3000 messages per second overall. Sends that carry
        ``allow_paid_broadcast`` are held to ``paid_per_second`` overall instead.
        """
        with self._lock:
            self._flood = FloodLimits(
                enabled,
                scale,
                global_per_second,
                private_per_second,
                group_per_minute,
                paid_per_second,
            )
            self._global_window.clear()
            self._chat_windows.clear()
            self._penalties.clear()

    def _window(self, chat: Chat) -> tuple[int, float]:
        """Allowed messages and window length for a chat; ``scale`` stretches either."""
        limits = self._flood
        if chat.type == "private":
            base, seconds = limits.private_per_second, 1.0
        else:
            base, seconds = limits.group_per_minute, 60.0
        return _scaled(base * limits.scale, seconds)

    def _check_flood(self, chat: Chat, now: float, *, paid: bool = False) -> None:
        """Raise 429 if this message would exceed a limit; called before sending."""
        penalty = self._penalties.get(chat.id)
        if penalty is not None:
            if now < penalty:
                self.early_retries += 1
                self.count_429 += 1
                seconds = _retry_seconds(penalty - now)
                raise ApiError(
                    429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
                )
            del self._penalties[chat.id]
        if not self._flood.enabled:
            return
        waits = []
        overall = self._flood.paid_per_second if paid else self._flood.global_per_second
        global_limit, global_seconds = _scaled(overall * self._flood.scale, 1.0)
        waits.append(_window_wait(self._global_window, global_limit, global_seconds, now))
        chat_limit, chat_seconds = self._window(chat)
        chat_window = self._chat_windows.setdefault(chat.id, deque())
        waits.append(_window_wait(chat_window, chat_limit, chat_seconds, now))
        wait = max(waits)
        if wait > 0:
            seconds = _retry_seconds(wait)
            self._penalties[chat.id] = now + seconds
            self.count_429 += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )

    def _count_delivery(self, chat: Chat, text: str, now: float) -> None:
        if self._flood.enabled:
            self._global_window.append(now)
            self._chat_windows.setdefault(chat.id, deque()).append(now)
        self.sent_count += 1
        self._delivered[chat.id] += 1
        key = (chat.id, text)
        self._texts[key] += 1
        if self._texts[key] == 2:
            self._duplicates.append(key)


def _retry_seconds(seconds: float) -> int:
    """Telegram's retry_after: whole seconds, rounded up, never zero."""
    return max(1, math.ceil(seconds - 1e-9))


def _scaled(rate: float, seconds: float) -> tuple[int, float]:
    """Express ``rate`` per ``seconds`` as a whole count per (possibly longer) window."""
    count = max(1, math.floor(rate))
    return count, seconds * count / rate


def _window_wait(window: deque[float], limit: int, seconds: float, now: float) -> float:
    """Seconds until a sliding window of ``seconds`` admits one more event (0 if now)."""
    while window and window[0] <= now - seconds:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[-limit] + seconds - now
