"""The delivery loop a running bot runs: never idle while rows are due, woken when rows arrive.

The worker is the real one on a real store (SQLite, and PostgreSQL when
configured); the platform is an in-memory publisher that records when each
send started, so gaps in the pipeline show.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_queue import SqlDeliveryQueue
from bot.adapters.storage.delivery_store import DeliveryStore
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.core.clock import SystemClock
from bot.core.model import Delivery, DeliveryKind, Destination, DestinationKind, Platform, Post
from bot.services.delivery import DeliveryOptions, DeliveryWorker, OneByOne

CLOCK = SystemClock()


class RecordingPublisher:
    """Accepts every post after `delay` seconds and notes when each send began."""

    platform = Platform.CONSOLE

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.started: list[float] = []
        self.sent: list[str] = []

    async def send(self, destination: Destination, post: Post) -> str:
        self.started.append(time.monotonic())
        await asyncio.sleep(self.delay)
        self.sent.append(destination.address)
        return str(len(self.sent))

    async def send_plain(self, destination: Destination, post: Post) -> str:
        return await self.send(destination, post)

    async def edit(self, destination: Destination, message_id: str, post: Post) -> None:
        raise AssertionError("not used")

    async def delete(self, destination: Destination, message_id: str) -> None:
        raise AssertionError("not used")


async def render(delivery: Delivery, destination: Destination) -> Post:
    return Post(Platform.CONSOLE, f"post {delivery.id}", f"post {delivery.id}", "")


def worker(db: Database, publisher: RecordingPublisher, **options: object) -> DeliveryWorker:
    chosen = {"batch_size": 10, "concurrency": 2, "idle": 30.0, **options}
    return DeliveryWorker(
        SqlDeliveryQueue(db),
        {Platform.CONSOLE.value: publisher},
        OneByOne(render),
        CLOCK,
        DeliveryOptions(**chosen),  # type: ignore[arg-type]
    )


async def queue(db: Database, count: int, *, due_in: float = 0.0, tag: str = "a") -> None:
    """`count` rows to as many console destinations, committed in one session."""
    now = CLOCK.now()
    async with db.session() as session:
        destinations = DestinationRepository(session)
        outbox = OutboxRepository(session)
        for number in range(count):
            destination = await destinations.ensure(
                Platform.CONSOLE, DestinationKind.CONSOLE, f"{tag}{number}", now
            )
            await outbox.enqueue(
                key=f"k-{tag}-{number}",
                destination_id=destination.id,
                kind=DeliveryKind.BROADCAST,
                due=now + timedelta(seconds=due_in),
                now=now,
            )
        await session.commit()


async def states(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return await OutboxRepository(session).counts()


async def wait_for(condition: object, within: float) -> float:
    """Seconds until `condition()` held (fails after `within`)."""
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        if time.monotonic() - started > within:
            pytest.fail(f"not within {within}s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def test_rows_queued_while_it_sleeps_are_sent_at_once(db: Database) -> None:
    publisher = RecordingPublisher()
    stop = asyncio.Event()
    serving = asyncio.create_task(worker(db, publisher).serve(stop))
    await asyncio.sleep(0.3)  # nothing due: asleep for up to `idle` (30 s)
    await queue(db, 3)
    took = await wait_for(lambda: len(publisher.sent) == 3, within=5)
    stop.set()
    await serving
    assert took < 2.0, "woken by the commit, not by the end of its 30 s sleep"
    assert (await states(db)).get("sent") == 3


async def test_rows_queued_by_another_instance_wake_it_on_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("another instance is another process only on PostgreSQL")
    mine, theirs = Database(database_url), Database(database_url)
    await mine.upgrade()
    publisher = RecordingPublisher()
    stop = asyncio.Event()
    try:
        serving = asyncio.create_task(worker(mine, publisher).serve(stop))
        await asyncio.sleep(0.5)  # listening, asleep
        await queue(theirs, 2)  # another engine: only NOTIFY can reach the worker
        took = await wait_for(lambda: len(publisher.sent) == 2, within=5)
        stop.set()
        await serving
        assert took < 2.0
    finally:
        await mine.close()
        await theirs.close()


async def test_the_next_batch_is_claimed_before_the_current_one_runs_dry(db: Database) -> None:
    await queue(db, 120)
    publisher = RecordingPublisher(delay=0.02)

    async def slow_render(delivery: Delivery, destination: Destination) -> Post:
        await asyncio.sleep(0.003)  # 60 ms to prepare a batch of twenty
        return await render(delivery, destination)

    stop = asyncio.Event()
    subject = DeliveryWorker(
        SqlDeliveryQueue(db),
        {Platform.CONSOLE.value: publisher},
        OneByOne(slow_render),
        CLOCK,
        DeliveryOptions(batch_size=20, concurrency=2, idle=30.0),
    )
    serving = asyncio.create_task(subject.serve(stop))
    await wait_for(lambda: len(publisher.sent) == 120, within=30)
    stop.set()
    report = await serving
    gaps = [b - a for a, b in zip(publisher.started, publisher.started[1:], strict=False)]
    # Six batches of twenty: a worker that claimed and prepared the next batch only
    # once the current one ran dry would leave the sender idle for 60 ms at each of
    # the five boundaries. Claimed ahead, the sends go on while the next batch is read.
    stalls = [gap for gap in gaps if gap > 0.045]
    assert len(stalls) <= 1, f"the sender stood idle {len(stalls)} times: {stalls}"
    assert report.sent == 120
    assert report.claimed == 120


async def test_it_sleeps_until_the_next_row_falls_due(db: Database) -> None:
    await queue(db, 1, due_in=0.6)
    publisher = RecordingPublisher()
    stop = asyncio.Event()
    started = time.monotonic()
    serving = asyncio.create_task(worker(db, publisher).serve(stop))
    await wait_for(lambda: len(publisher.sent) == 1, within=5)
    stop.set()
    await serving
    assert 0.5 <= publisher.started[0] - started < 2.0


async def test_nothing_is_claimed_while_sending_is_not_allowed(db: Database) -> None:
    await queue(db, 2)
    publisher = RecordingPublisher()
    allowed = False

    async def may_send() -> bool:
        return allowed

    stop = asyncio.Event()
    subject = worker(db, publisher, idle=0.2)
    serving = asyncio.create_task(subject.serve(stop, may_send=may_send))
    await asyncio.sleep(0.5)
    assert publisher.sent == []
    assert (await states(db)) == {"pending": 2}  # not even claimed
    allowed = True
    subject.wake()
    await wait_for(lambda: len(publisher.sent) == 2, within=5)
    stop.set()
    await serving


async def test_stopping_returns_claimed_rows_nobody_started(db: Database) -> None:
    await queue(db, 30)
    publisher = RecordingPublisher(delay=0.2)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker(db, publisher, batch_size=30, concurrency=1).serve(stop))
    await wait_for(lambda: len(publisher.started) == 1, within=5)
    stop.set()
    report = await serving
    final = await states(db)
    assert final.get("sending", 0) == 0
    assert final.get("sent", 0) == report.sent == len(publisher.sent)
    assert final["pending"] == 30 - report.sent
    async with db.session() as session:
        rows = await OutboxRepository(session).counts()
    assert sum(rows.values()) == 30


async def test_a_new_leader_takes_over_what_the_last_sender_held(db: Database) -> None:
    await queue(db, 4)
    async with db.session() as session:
        outbox = OutboxRepository(session)
        gone = await outbox.claim(
            now=CLOCK.now(), limit=3, worker="worker-old/7", skip_locked=False
        )
        mine = await outbox.claim(
            now=CLOCK.now(), limit=1, worker="worker-new/1", skip_locked=False
        )
        await session.commit()
    assert (len(gone), len(mine)) == (3, 1)
    async with db.session() as session:
        released = await DeliveryStore(session).release_claimed_except("worker-new")
        await session.commit()
    assert released == 3
    assert await states(db) == {"pending": 3, "sending": 1}  # its own claim stays its own
