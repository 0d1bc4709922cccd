"""The limiter against a clock that only moves when someone sleeps."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from typing import Any

from bot.core.ratelimit import ChatKind, Limits, TelegramLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def limiter(time: FakeTime, **limits: float | bool) -> TelegramLimiter:
    return TelegramLimiter(Limits(**limits), now=time, sleep=time.sleep)  # type: ignore[arg-type]


async def _admit(
    lim: TelegramLimiter, time: FakeTime, chats: list[str], kind: ChatKind
) -> list[float]:
    stamps = []
    for chat in chats:
        assert await lim.acquire(chat, kind, max_wait=120) is None
        stamps.append(time.now)
    return stamps


def _most_in_any_second(stamps: list[float]) -> int:
    return max(sum(1 for t in stamps if start <= t < start + 1.0) for start in stamps)


async def test_overall_rate_never_exceeds_the_limit_in_any_second() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=30)
    stamps = await _admit(lim, time, [f"u{i}" for i in range(300)], ChatKind.PRIVATE)
    assert _most_in_any_second(stamps) <= 30
    achieved = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert 0.95 * 30 <= achieved <= 30


async def test_paid_broadcast_lifts_the_overall_rate() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=30, paid_per_second=1000, paid_broadcast=True)
    stamps = await _admit(lim, time, [f"u{i}" for i in range(3000)], ChatKind.PRIVATE)
    assert _most_in_any_second(stamps) <= 1000
    assert (len(stamps) - 1) / (stamps[-1] - stamps[0]) >= 950


async def test_one_message_a_second_to_one_private_chat() -> None:
    time = FakeTime()
    lim = limiter(time)
    stamps = await _admit(lim, time, ["alice"] * 4, ChatKind.PRIVATE)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(gap >= 1.0 for gap in gaps)


async def test_a_channel_takes_a_burst_of_twenty_then_waits_for_the_minute() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=1000)
    start = time.now
    stamps = await _admit(lim, time, ["@news"] * 21, ChatKind.GROUP)
    assert stamps[19] - start < 1.0
    assert stamps[20] - stamps[0] >= 60.0


async def test_a_chat_not_ready_soon_is_handed_back_instead_of_waited_for() -> None:
    time = FakeTime()
    lim = limiter(time)
    assert await lim.acquire("@news", ChatKind.GROUP) is None
    for _ in range(19):
        await lim.acquire("@news", ChatKind.GROUP)
    wait = await lim.acquire("@news", ChatKind.GROUP, max_wait=1.0)
    assert wait is not None
    assert wait > 50


async def test_429_holds_the_chat_exactly_retry_after_and_slows_everyone() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=30)
    before = lim.rate()
    lim.penalize("alice", 7)
    told = time.now
    assert lim.rate() < before  # the whole sender slows down
    assert await lim.acquire("alice", ChatKind.PRIVATE, max_wait=1) == 7
    assert await lim.acquire("alice", ChatKind.PRIVATE, max_wait=10) is None
    assert time.now >= told + 7
    time.now += lim.limits.recovery
    assert lim.rate() == before  # and recovers


async def test_memory_stays_flat_in_a_broadcast_to_many_chats() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=1000)
    await _admit(lim, time, [str(i) for i in range(20_000)], ChatKind.PRIVATE)
    assert lim.tracked_chats <= 2 * 1024 + 1000


class StallingTime:
    """Virtual time for many concurrent senders; `stall` jumps it as a blocked loop would."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    def stall(self, seconds: float) -> None:
        self.now += seconds

    async def run(self, work: asyncio.Future[Any]) -> None:
        """Wake the earliest sleeper whenever every task is blocked, until `work` is done."""
        while not work.done():
            for _ in range(50):
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                future.set_result(None)


async def test_a_stalled_loop_does_not_release_a_burst_over_the_limit() -> None:
    time = StallingTime()
    lim = TelegramLimiter(Limits(per_second=30), now=time, sleep=time.sleep)
    chats = iter(f"u{i}" for i in range(300))
    released: list[float] = []

    async def sender() -> None:
        for chat in chats:
            assert await lim.acquire(chat, ChatKind.PRIVATE, max_wait=120) is None
            released.append(time.now)
            if len(released) in (50, 150):
                time.stall(0.4)  # a long garbage collection while 20 senders wait their slot

    work = asyncio.gather(*(sender() for _ in range(20)))
    await time.run(work)
    await work
    assert len(released) == 300
    assert _most_in_any_second(released) <= 30  # never over the limit, stall or not
    achieved = (len(released) - 1) / (released[-1] - released[0])
    assert achieved >= 0.9 * 30  # the stalls' lost time is made up, within the limit


async def _send_busy(
    count: int, *, stall_every: int, stall: float
) -> tuple[StallingTime, list[float]]:
    """`count` sends at 300/s by 64 senders (the worker's concurrency), the loop busy
    for `stall` seconds every `stall_every` sends; the moments they went."""
    time = StallingTime()
    lim = TelegramLimiter(Limits(per_second=300), now=time, sleep=time.sleep)
    chats = iter(f"u{i}" for i in range(count))
    released: list[float] = []

    async def sender() -> None:
        for chat in chats:
            assert await lim.acquire(chat, ChatKind.PRIVATE, max_wait=120) is None
            released.append(time.now)
            if len(released) % stall_every == 0:
                time.stall(stall)

    work = asyncio.gather(*(sender() for _ in range(64)))
    await time.run(work)
    await work
    assert len(released) == count
    return time, released


async def test_many_waiting_senders_do_not_all_wake_for_every_send() -> None:
    # The loop busy with a batch every ten sends: several slots pass at once.
    time, released = await _send_busy(1200, stall_every=10, stall=0.02)
    assert _most_in_any_second(released) <= 300
    assert time.sleeps <= 3 * len(released)  # a sleep or two per send, not one per waiter


async def test_a_pace_held_back_by_a_busy_loop_is_made_up_within_the_limit() -> None:
    # Once a second, a batch read or a collection: 20 ms lost.
    _, released = await _send_busy(3000, stall_every=300, stall=0.02)
    # The ceiling is 296; a send goes at most 10 ms after its moment, which moves a
    # few at most into the next second: still under Telegram's 300.
    assert _most_in_any_second(released) < 300
    achieved = (len(released) - 1) / (released[-1] - released[0])
    assert achieved >= 0.972 * 300  # made up: the aim is 0.975 (lost for good: under 0.967)
