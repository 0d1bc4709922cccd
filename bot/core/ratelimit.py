"""Telegram's flood limits, enforced on our side so the steady state never sees a 429.

Telegram publishes three limits for bots (https://core.telegram.org/bots/faq,
"My bot is hitting limits"): about 30 messages a second overall (up to 1000 a
second for messages sent with ``allow_paid_broadcast``), one message a second
to one private chat, and 20 messages a minute to one group or channel. The
Bot API answers anything faster with 429 and a ``retry_after``.

Per chat, a sliding window: a channel may take 20 posts in a burst, then one
more whenever the oldest of them is a minute old.

`TelegramLimiter` spaces sends with GCRA (the "virtual scheduling" form of a
leaky bucket): each admission books the next free slot, so waiters are served
in order, and a pace fallen behind by up to `tolerance` (10 ms: three sends at
300 a second, a third of one at 30) is made up rather than lost, as is any
delay the one-second check below absorbs: a busy event loop (a batch being
read, a collection) would otherwise cost its delay for good, every time.
Booked slots are not the whole story: when the event loop stalls, every task
whose slot passed during the stall wakes at once, and that burst plus the
regular pace would overfill the server's one-second window. So the moment a
send is really let go is kept too: no two follow closer than `catch_up` times
the rate allows (a burst squeezed into a few milliseconds would arrive as one,
since arrival times jitter by tens of milliseconds), and no real second holds
more than `ceiling` of the published rate (at 300 a second: 296, give or take
the few that wake up to `tolerance` late). The pace is aimed 2.5% under the
published rate (`safety`), because the server counts arrivals, and arrivals
jitter: at 30 a second the spacing of 34.2 ms instead of 33.3 ms absorbs 26 ms
of jitter over a second's sends; at 300 a second the four messages under the
limit that the ceiling keeps free absorb about 13 ms at the moments the pace
is made up. That keeps a fanout at 0.97 of the allowed rate or more with no
429 (`make bench`). Each waiter reserves its moment and sleeps once, so dozens
of waiting senders neither all wake for each send nor queue for one turn of
the event loop each.

A 429 is honoured exactly: the chat is held until ``retry_after`` has passed
(never earlier), the whole sender pauses briefly and drops its rate, then
recovers it linearly over `recovery` seconds.

Per-chat state is pruned as soon as it no longer constrains anything, so a
broadcast to 100,000 private chats keeps only the chats of the last second.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class ChatKind(enum.Enum):
    """Which per-chat limit applies."""

    PRIVATE = "private"
    GROUP = "group"  # groups, supergroups, their forum topics, and channels


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's published limits (defaults) and how close to them we aim."""

    per_second: float = 30.0
    paid_per_second: float = 1000.0
    paid_broadcast: bool = False
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    safety: float = 0.975
    ceiling: float = 0.985  # no real second holds more than this share of the published rate
    tolerance: float = 0.01  # a pace fallen behind by this much is made up (at `catch_up`)
    catch_up: float = 1.25  # after a stall, sends go at most this many times the rate
    slowdown: float = 0.5
    max_pause: float = 1.0
    recovery: float = 30.0

    @property
    def overall(self) -> float:
        """The overall rate allowed, paid broadcasts included when enabled."""
        return self.paid_per_second if self.paid_broadcast else self.per_second

    def scaled(self, factor: float) -> Limits:
        """Every rate multiplied by `factor` (benchmarks against a scaled fake)."""
        return Limits(
            per_second=self.per_second * factor,
            paid_per_second=self.paid_per_second * factor,
            paid_broadcast=self.paid_broadcast,
            private_per_second=self.private_per_second * factor,
            group_per_minute=self.group_per_minute * factor,
            safety=self.safety,
            ceiling=self.ceiling,
            tolerance=self.tolerance,
            slowdown=self.slowdown,
            max_pause=self.max_pause,
            recovery=self.recovery,
            catch_up=self.catch_up,
        )


class TelegramLimiter:
    """Admits sends at Telegram's pace; shared by every task of one process."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        now: Now = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self._now = now
        self._sleep = sleep
        self._tat = 0.0  # theoretical arrival time of the next overall send
        self._released: deque[float] = deque()  # the moments sends go at, the last second
        self._chats: dict[str, deque[float]] = {}
        self._groups: set[str] = set()  # chats under the per-minute limit (few)
        self._held: dict[str, float] = {}
        self._cut_at: float | None = None
        self._admitted = 0
        self.throttled = 0

    def rate(self, now: float | None = None) -> float:
        """The overall rate aimed at right now (lower for a while after a 429)."""
        base = self.limits.overall * self.limits.safety
        if self._cut_at is None:
            return base
        moment = self._now() if now is None else now
        elapsed = moment - self._cut_at
        if elapsed >= self.limits.recovery:
            self._cut_at = None
            return base
        low = self.limits.slowdown
        return base * (low + (1.0 - low) * elapsed / self.limits.recovery)

    def held_until(self, chat: str) -> float | None:
        """When a chat told to wait by a 429 may be tried again (monotonic time)."""
        until = self._held.get(chat)
        return until if until is not None and until > self._now() else None

    def wait_for(self, chat: str, kind: ChatKind) -> float:
        """Seconds before `chat` may receive its next message (0 when it may now)."""
        now = self._now()
        wait = self._held.get(chat, 0.0) - now
        window = self._chats.get(chat)
        if window:
            limit, seconds = self._window(kind)
            while window and window[0] <= now - seconds:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[-limit] + seconds - now)
        return max(wait, 0.0)

    async def acquire(self, chat: str, kind: ChatKind, *, max_wait: float = 1.0) -> float | None:
        """Wait for a slot to send to `chat`; None once admitted.

        When the chat itself is not ready within `max_wait` seconds (its
        per-chat limit, or a 429's ``retry_after``), nothing is booked and the
        seconds still to wait are returned, so the caller reschedules instead
        of holding a worker.
        """
        while True:
            chat_wait = self.wait_for(chat, kind)
            if chat_wait > 0:
                if chat_wait > max_wait:
                    self.throttled += 1
                    return chat_wait
                await self._sleep(chat_wait)
                continue
            now = self._now()
            slot = self._book(now)
            self._chats.setdefault(chat, deque()).append(slot)
            if kind is ChatKind.GROUP:
                self._groups.add(chat)
            self._held.pop(chat, None)
            self._admitted += 1
            if self._admitted % 1024 == 0:
                self._prune(now)
            if slot > now:
                await self._sleep(slot - now)
                if self._held.get(chat, 0.0) > self._now():
                    continue  # a 429 for this chat arrived meanwhile: honour it
            await self._release()
            return None

    async def _release(self) -> None:
        """Let a booked send go at a moment spaced from the last, with room in its second.

        Each waiter reserves its moment (spaced from the one before, with room
        in its second) and sleeps once until it: when the loop falls behind,
        dozens of senders reach this point together, and if each polled the
        window they would all wake for every send, which at 300 sends a second
        costs more than the sending; nor do they pass one at a time, which
        would let no more than one go per turn of a busy loop. A waiter that
        wakes more than `tolerance` past its moment (the loop stalled) gives
        the moment up and reserves again behind the others, so the late ones
        never go in one burst.
        """
        now = self._now()
        while True:
            moment = self._reserve(now)
            if moment > now:
                await self._sleep(moment - now)
                now = self._now()
            if now - moment <= self.limits.tolerance:
                return
            with contextlib.suppress(ValueError):  # already out of the last second
                self._released.remove(moment)

    def _reserve(self, now: float) -> float:
        """The next free moment: spaced from the last one reserved, room in its second."""
        window = self._released
        while window and window[0] <= now - 1.0:
            window.popleft()
        moment = now
        if window:
            moment = max(moment, window[-1] + self._spacing(now))
        limit = self._per_second(now)
        if len(window) >= limit:
            moment = max(moment, window[-limit] + 1.0)
        window.append(moment)
        return moment

    def _per_second(self, now: float) -> int:
        """The most sends one real second may hold: a little over the pace aimed at.

        The pace is `safety` under the published rate; the cap sits at `ceiling`
        of it, so sends held back by a busy loop can be made up within the next
        second instead of being lost for good (29.25 a second: 30; 292.5: 296).
        """
        return math.ceil(self.rate(now) * self.limits.ceiling / self.limits.safety - 1e-9)

    def _spacing(self, now: float) -> float:
        """The closest two sends follow each other (catching up after a stall)."""
        return 1.0 / (self.rate(now) * self.limits.catch_up)

    def penalize(self, chat: str, retry_after: float) -> None:
        """A 429 for `chat`: hold it exactly `retry_after`, slow everything for a while."""
        now = self._now()
        until = now + retry_after
        self._held[chat] = max(self._held.get(chat, 0.0), until)
        self._cut_at = now
        self._tat = max(self._tat, now + min(retry_after, self.limits.max_pause))

    def _book(self, now: float) -> float:
        """Book the next overall slot (GCRA); return when it starts."""
        interval = 1.0 / self.rate(now)
        slot = max(now, self._tat - self.limits.tolerance)
        self._tat = max(self._tat, slot) + interval
        return slot

    def _window(self, kind: ChatKind) -> tuple[int, float]:
        """(messages, seconds) allowed to one chat, the window stretched by `safety`."""
        if kind is ChatKind.PRIVATE:
            rate, seconds = self.limits.private_per_second, 1.0
        else:
            rate, seconds = self.limits.group_per_minute, 60.0
        count = max(1, math.floor(rate))
        return count, seconds * count / rate / self.limits.safety

    def _prune(self, now: float) -> None:
        """Forget chats whose limits no longer bind (keeps memory flat in broadcasts)."""
        private = now - self._window(ChatKind.PRIVATE)[1]
        group = now - self._window(ChatKind.GROUP)[1]
        self._chats = {
            c: w
            for c, w in self._chats.items()
            if w and w[-1] > (group if c in self._groups else private)
        }
        self._groups &= self._chats.keys()
        self._held = {c: t for c, t in self._held.items() if t > now}

    @property
    def tracked_chats(self) -> int:
        """How many chats the limiter remembers (for tests of flat memory)."""
        return len(self._chats)
