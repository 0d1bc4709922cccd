"""The delivery worker on in-memory fakes of its queue and platforms: its rules, no database."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from delivery_fakes import FakeQueue, ScriptedPublisher, post_for

from bot.core.clock import ManualClock
from bot.core.errors import (
    ChatMoved,
    DestinationGone,
    DuplicateContent,
    MarkupRejected,
    RateLimited,
    RecipientGone,
    Rejected,
    TransientError,
)
from bot.core.events import Events
from bot.core.model import (
    Delivery,
    DeliveryState,
    Destination,
    DestinationKind,
    DestinationState,
    Platform,
    Post,
)
from bot.services.delivery import DeliveryOptions, DeliveryWorker, OneByOne, content_hash

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OPTIONS = DeliveryOptions(
    concurrency=1, max_attempts=3, base_backoff=10.0, max_backoff=100.0, flush_interval=1000.0
)


class Failures(Events):
    """Keeps the failures the worker reported."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, str]] = []

    def delivery_failed(self, destination: str, reason: str) -> None:
        self.failed.append((destination, reason))


class Admins:
    """Records alerts."""

    def __init__(self) -> None:
        self.told: list[str] = []

    async def __call__(self, text: str) -> None:
        self.told.append(text)


async def render(delivery: Delivery, destination: Destination) -> Post | None:
    return post_for(f"story {delivery.article_id}")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def telegram() -> ScriptedPublisher:
    return ScriptedPublisher()


@pytest.fixture
def admins() -> Admins:
    return Admins()


@pytest.fixture
def events() -> Failures:
    return Failures()


@pytest.fixture
def worker(
    store: FakeQueue,
    telegram: ScriptedPublisher,
    clock: ManualClock,
    admins: Admins,
    events: Failures,
) -> DeliveryWorker:
    return DeliveryWorker(
        store,
        {Platform.TELEGRAM.value: telegram},
        OneByOne(render),
        clock,
        OPTIONS,
        alert=admins,
        events=events,
        rng=random.Random(7),
    )


async def test_due_rows_are_sent_and_recorded_with_their_message_id_and_fingerprint(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker
) -> None:
    channel = store.destination()
    first = store.queue(channel, START, article_id=1)
    later = store.queue(channel, START + timedelta(minutes=5), article_id=2)

    report = await worker.run_once()

    assert (report.claimed, report.sent) == (1, 1)
    assert telegram.sent == [("@news", "story 1")]
    assert store.row(first).state is DeliveryState.SENT
    assert store.row(first).message_id == "m1"
    assert store.rows[first].content_hash == content_hash(post_for("story 1"))
    assert store.state(later) is DeliveryState.PENDING
    assert worker.sent_since_last_report() == 1
    assert worker.sent_since_last_report() == 0


async def test_sends_are_recorded_in_groups_of_flush_every(
    store: FakeQueue, telegram: ScriptedPublisher, clock: ManualClock
) -> None:
    channel = store.destination()
    for article in range(5):
        store.queue(channel, START, article_id=article)
    worker = DeliveryWorker(
        store,
        {Platform.TELEGRAM.value: telegram},
        OneByOne(render),
        clock,
        DeliveryOptions(concurrency=1, flush_every=2, flush_interval=1000.0),
    )

    report = await worker.drain()

    assert report.sent == 5
    assert store.recorded == [2, 2, 1]


async def test_a_failed_record_is_kept_and_written_by_the_next_flush(
    store: FakeQueue, worker: DeliveryWorker
) -> None:
    channel = store.destination()
    delivery = store.queue(channel, START, article_id=1)
    store.fail_records = 1

    with pytest.raises(ConnectionError):
        await worker.run_once()

    assert store.state(delivery) is DeliveryState.SENT
    assert store.row(delivery).message_id == "m1"
    assert store.recorded == [1]


async def test_a_send_whose_record_fails_stays_claimed_until_the_lease_runs_out(
    store: FakeQueue, worker: DeliveryWorker, clock: ManualClock
) -> None:
    channel = store.destination()
    delivery = store.queue(channel, START, article_id=1)
    store.fail_records = 2  # the last flush and the one on the way out

    with pytest.raises(ConnectionError):
        await worker.run_once()

    assert store.state(delivery) is DeliveryState.SENDING  # never lost, never marked failed
    assert await worker.recover() == 0  # the claim is fresh
    clock.advance(OPTIONS.claim_lease.total_seconds() + 1)
    assert await worker.recover() == 1
    assert store.state(delivery) is DeliveryState.PENDING


async def test_disabled_destinations_skipped_articles_and_empty_posts_are_skipped(
    store: FakeQueue, telegram: ScriptedPublisher, clock: ManualClock
) -> None:
    channel = store.destination()
    gone = store.destination(address="@old")
    await store.disable(gone.id, "bot kicked")
    to_gone = store.queue(gone, START, article_id=1)
    removed = store.queue(channel, START, article_id=2)
    store.skipped.add(2)
    empty = store.queue(channel, START, article_id=3)
    broken = store.queue(channel, START, article_id=4)
    fine = store.queue(channel, START, article_id=5)

    async def picky(delivery: Delivery, destination: Destination) -> Post | None:
        if delivery.article_id == 3:
            return None
        if delivery.article_id == 4:
            raise ValueError("no headline")
        return post_for(f"story {delivery.article_id}")

    worker = DeliveryWorker(
        store, {Platform.TELEGRAM.value: telegram}, OneByOne(picky), clock, OPTIONS
    )
    report = await worker.run_once()

    assert (report.skipped, report.sent) == (4, 1)
    assert telegram.sent == [("@news", "story 5")]
    assert store.row(fine).state is DeliveryState.SENT
    reasons = {d: (store.state(d), store.row(d).last_error) for d in (to_gone, removed, empty)}
    assert reasons == {
        to_gone: (DeliveryState.SKIPPED, "destination disabled"),
        removed: (DeliveryState.SKIPPED, "article skipped"),
        empty: (DeliveryState.SKIPPED, "nothing to post"),
    }
    assert store.state(broken) is DeliveryState.SKIPPED
    assert store.row(broken).last_error == "render failed: no headline"


async def test_a_platform_without_a_publisher_is_skipped(
    store: FakeQueue, worker: DeliveryWorker
) -> None:
    account = store.destination(DestinationKind.X_ACCOUNT, "me", Platform.X)
    delivery = store.queue(account, START, article_id=1)

    report = await worker.run_once()

    assert report.skipped == 1
    assert store.row(delivery).last_error == "no publisher for platform"


async def test_transient_errors_back_off_exponentially_then_fail_and_alert(
    store: FakeQueue,
    telegram: ScriptedPublisher,
    worker: DeliveryWorker,
    clock: ManualClock,
    admins: Admins,
) -> None:
    channel = store.destination()
    delivery = store.queue(channel, START, article_id=1)
    telegram.fail(channel.address, *(TransientError("timed out") for _ in range(3)))

    waits = []
    for _ in range(OPTIONS.max_attempts - 1):
        report = await worker.run_once()
        assert report.retried == 1
        row = store.row(delivery)
        assert row.state is DeliveryState.PENDING
        assert row.next_attempt_at is not None
        waits.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.set(row.next_attempt_at)
    assert 5.0 <= waits[0] <= 10.0  # base_backoff, jittered down to half
    assert 10.0 <= waits[1] <= 20.0  # doubled
    assert admins.told == []

    report = await worker.run_once()

    assert report.failed == 1
    assert store.state(delivery) is DeliveryState.FAILED
    assert store.row(delivery).attempts == OPTIONS.max_attempts
    assert len(admins.told) == 1
    assert "failed after 3 attempts" in admins.told[0]


async def test_a_rate_limit_is_waited_out_exactly_without_counting_an_attempt(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker, clock: ManualClock
) -> None:
    channel = store.destination()
    first = store.queue(channel, START, article_id=1)
    second = store.queue(channel, START, article_id=2)
    telegram.fail(channel.address, RateLimited("slow down", retry_after=42))

    report = await worker.run_once()

    # No limiter: the destination itself is held, so the second row is not even tried.
    assert (report.retried, report.deferred, report.sent) == (1, 1, 0)
    for delivery in (first, second):
        row = store.row(delivery)
        assert row.state is DeliveryState.PENDING
        assert row.attempts == 0
    assert store.row(first).next_attempt_at == START + timedelta(seconds=42)
    assert telegram.sent == []

    clock.advance(42)
    report = await worker.run_once()
    assert report.sent == 2


async def test_a_gone_recipient_is_disabled_and_blocked_without_alerting(
    store: FakeQueue,
    telegram: ScriptedPublisher,
    worker: DeliveryWorker,
    admins: Admins,
    events: Failures,
) -> None:
    chat = store.destination(DestinationKind.PRIVATE, "7001")
    delivery = store.queue(chat, START, article_id=1)
    telegram.fail("7001", RecipientGone("bot was blocked by the user", code=403))

    report = await worker.run_once()

    assert report.failed == 1
    assert store.state(delivery) is DeliveryState.FAILED
    assert store.destinations[chat.id].state is DestinationState.DISABLED
    assert store.blocked == {"7001"}
    assert admins.told == []
    assert events.failed == [("telegram:private", "recipient_gone")]


async def test_a_gone_channel_is_disabled_and_the_admins_are_told(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker, admins: Admins
) -> None:
    channel = store.destination()
    delivery = store.queue(channel, START, article_id=1)
    telegram.fail("@news", DestinationGone("chat not found", code=400))

    await worker.run_once()

    assert store.state(delivery) is DeliveryState.FAILED
    assert store.destinations[channel.id].disabled_reason == "chat not found"
    assert store.blocked == set()
    assert admins.told == ["⛔ telegram @news disabled: chat not found"]


async def test_a_moved_chat_is_followed_and_the_row_retried_at_once(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker
) -> None:
    group = store.destination(DestinationKind.GROUP, "-100")
    delivery = store.queue(group, START, article_id=1)
    telegram.fail("-100", ChatMoved("group upgraded", new_chat_id=-1002))

    report = await worker.run_once()

    assert report.retried == 1
    assert store.destinations[group.id].address == "-1002"
    assert store.row(delivery).attempts == 0
    report = await worker.run_once()
    assert report.sent == 1
    assert telegram.sent == [("-1002", "story 1")]


async def test_a_chat_moved_onto_an_existing_destination_retires_the_old_one(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker
) -> None:
    group = store.destination(DestinationKind.GROUP, "-100")
    store.destination(DestinationKind.GROUP, "-1002")
    delivery = store.queue(group, START, article_id=1)
    telegram.fail("-100", ChatMoved("group upgraded", new_chat_id=-1002))

    report = await worker.run_once()

    assert report.skipped == 1
    assert store.row(delivery).last_error == "chat moved to -1002"
    old = store.destinations[group.id]
    assert (old.state, old.address) == (DestinationState.DISABLED, "-100")
    assert old.disabled_reason == "moved to -1002, already a destination"


async def test_refused_markup_is_resent_once_as_plain_text(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker
) -> None:
    channel = store.destination()
    bad = store.queue(channel, START, article_id=1)
    ok = store.queue(channel, START, article_id=2)
    telegram.fail("@news", MarkupRejected("can't parse entities"), MarkupRejected("too long"))
    telegram.plain_failures.append(Rejected("message is too long"))

    report = await worker.run_once()

    assert (report.sent, report.failed) == (1, 1)
    assert telegram.plain == [("@news", "plain story 2")]
    assert store.row(ok).message_id == "p1"
    assert store.state(bad) is DeliveryState.FAILED
    assert store.row(bad).last_error == "plain text too: message is too long"


async def test_duplicates_are_skipped_and_other_refusals_fail(
    store: FakeQueue, telegram: ScriptedPublisher, worker: DeliveryWorker, events: Failures
) -> None:
    channel = store.destination()
    duplicate = store.queue(channel, START, article_id=1)
    refused = store.queue(channel, START, article_id=2)
    telegram.fail("@news", DuplicateContent("already posted"), Rejected("bad request"))

    report = await worker.run_once()

    assert (report.skipped, report.failed) == (1, 1)
    assert store.state(duplicate) is DeliveryState.SKIPPED
    assert store.state(refused) is DeliveryState.FAILED
    assert events.failed == [("telegram:@news", "rejected")]
    assert len(report.errors) == 2


async def test_serve_wakes_when_rows_are_queued_and_gives_back_what_it_did_not_start(
    store: FakeQueue, telegram: ScriptedPublisher, clock: ManualClock
) -> None:
    channel = store.destination()
    worker = DeliveryWorker(
        store,
        {Platform.TELEGRAM.value: telegram},
        OneByOne(render),
        clock,
        DeliveryOptions(concurrency=1, batch_size=10, idle=60.0, flush_interval=0.01),
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.serve(stop))
    await asyncio.sleep(0.05)  # asleep: nothing is due, the next look is a minute away
    assert worker.serving

    woken = store.queue(channel, START, article_id=1)
    for _ in range(100):
        await asyncio.sleep(0.01)
        if store.state(woken) is DeliveryState.SENT:
            break
    assert store.state(woken) is DeliveryState.SENT  # woken at once, not after `idle`

    telegram.gate = asyncio.Event()  # the next send hangs until the gate opens
    held = [store.queue(channel, START, article_id=n) for n in (2, 3, 4)]
    for _ in range(100):
        await asyncio.sleep(0.01)
        if all(store.state(d) is DeliveryState.SENDING for d in held):
            break
    stop.set()
    await asyncio.sleep(0.05)
    telegram.gate.set()
    report = await asyncio.wait_for(serving, 5)

    assert not worker.serving
    assert store.wakes == []  # unsubscribed
    states = [store.state(d) for d in held]
    assert states == [DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.PENDING]
    assert [store.row(d).attempts for d in held[1:]] == [0, 0]  # given back, refunded
    assert report.sent == 2
