"""The X budget on an in-memory ledger: what it reads, records and refuses, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from delivery_fakes import FakeLedger, FakeQueue, ScriptedPublisher, post_for

from bot.core.clock import ManualClock
from bot.core.errors import RateLimited
from bot.core.events import Events
from bot.core.model import Delivery, DeliveryState, Destination, DestinationKind, Platform, Post
from bot.services.delivery import DeliveryOptions, DeliveryWorker, OneByOne
from bot.services.xbudget import BudgetOptions, Importance, XBudget

NOW = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)  # half of April has passed
OPTIONS = BudgetOptions(
    posts_per_day=4, money_per_month=10.0, price_post=0.01, price_post_with_link=0.2, reserve=0.5
)


class Reported(Events):
    """Keeps what the budget reported."""

    def __init__(self) -> None:
        self.left: list[tuple[int, float | None]] = []

    def x_budget(self, posts_left: int, money_left: float | None) -> None:
        self.left.append((posts_left, money_left))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def ledger() -> FakeLedger:
    return FakeLedger()


@pytest.fixture
def events() -> Reported:
    return Reported()


@pytest.fixture
def budget(ledger: FakeLedger, clock: ManualClock, events: Reported) -> XBudget:
    return XBudget(ledger, clock, OPTIONS, events=events)


async def test_posts_count_over_24_hours_and_money_over_the_calendar_month(
    ledger: FakeLedger, budget: XBudget
) -> None:
    await ledger.record(at=NOW - timedelta(hours=25), cost=1.0, with_link=True, delivery_id=1)
    await ledger.record(at=NOW - timedelta(hours=2), cost=0.5, with_link=True, delivery_id=2)
    await ledger.record(
        at=datetime(2026, 3, 31, 23, tzinfo=UTC), cost=5, with_link=True, delivery_id=None
    )

    status = await budget.status()

    assert (status.posts_last_24h, status.posts_left_today) == (1, 3)
    assert (status.spent_month, status.money_left_month) == (1.5, 8.5)
    assert status.capped_until is None


async def test_a_sent_post_is_written_in_the_ledger_and_what_is_left_reported(
    ledger: FakeLedger, budget: XBudget, events: Reported
) -> None:
    verdict = await budget.decide(Importance.BREAKING, with_link=True)
    assert verdict.allowed

    await budget.spend(verdict, with_link=True, delivery_id=9)

    [spend] = ledger.spends
    assert (spend.at, spend.cost, spend.with_link, spend.delivery_id) == (NOW, 0.2, True, 9)
    assert events.left == [(3, 9.8)]


async def test_x_cap_refuses_every_post_until_its_reset(
    ledger: FakeLedger, budget: XBudget, clock: ManualClock
) -> None:
    await budget.capped(NOW + timedelta(hours=3))

    refused = await budget.decide(Importance.BREAKING, with_link=False)
    assert not refused.allowed
    assert refused.reason == "X 24-hour cap reached until 15:00 UTC"

    clock.advance(3 * 3600)
    status = await budget.status()
    assert status.capped_until is None  # the reset has passed: the stored cap no longer counts
    assert (await budget.decide(Importance.BREAKING, with_link=False)).allowed


async def test_the_reserve_is_kept_for_what_matters(ledger: FakeLedger, budget: XBudget) -> None:
    for hour in (1, 2):
        await ledger.record(
            at=NOW - timedelta(hours=hour), cost=0.01, with_link=False, delivery_id=None
        )

    ordinary = await budget.decide(Importance.ORDINARY, with_link=False)
    breaking = await budget.decide(Importance.BREAKING, with_link=False)

    assert not ordinary.allowed  # 2 of 4 left: the reserve of half the day
    assert breaking.allowed


async def render_x(delivery: Delivery, destination: Destination) -> Post | None:
    return post_for(f"story {delivery.article_id}", Platform.X)


async def test_the_worker_posts_breaking_news_on_x_within_the_reserve_and_skips_the_rest(
    ledger: FakeLedger, budget: XBudget, clock: ManualClock
) -> None:
    for hour in (1, 2):
        await ledger.record(
            at=NOW - timedelta(hours=hour), cost=0.01, with_link=False, delivery_id=None
        )
    store = FakeQueue()
    account = store.destination(DestinationKind.X_ACCOUNT, "me", Platform.X)
    ordinary = store.queue(account, NOW, article_id=1)
    breaking = store.queue(account, NOW, article_id=2)
    store.breaking.add(2)
    x = ScriptedPublisher(Platform.X)
    worker = DeliveryWorker(
        store,
        {Platform.X.value: x},
        OneByOne(render_x),
        clock,
        DeliveryOptions(concurrency=1),
        budget=budget,
    )

    report = await worker.run_once()

    assert (report.sent, report.skipped) == (1, 1)
    assert x.sent == [("me", "story 2")]
    assert store.state(breaking) is DeliveryState.SENT
    assert store.state(ordinary) is DeliveryState.SKIPPED
    assert store.row(ordinary).last_error == "X posts left are kept for breaking and most-read"
    assert [s.delivery_id for s in ledger.spends] == [None, None, breaking]


async def test_x_answering_with_its_daily_cap_skips_x_posts_until_the_reset(
    ledger: FakeLedger, budget: XBudget, clock: ManualClock
) -> None:
    store = FakeQueue()
    account = store.destination(DestinationKind.X_ACCOUNT, "me", Platform.X)
    first = store.queue(account, NOW, article_id=1)
    second = store.queue(account, NOW, article_id=2)
    store.breaking.update({1, 2})
    x = ScriptedPublisher(Platform.X)
    x.fail("me", RateLimited("daily cap", retry_after=3600, daily=True))
    worker = DeliveryWorker(
        store,
        {Platform.X.value: x},
        OneByOne(render_x),
        clock,
        DeliveryOptions(concurrency=1),
        budget=budget,
    )

    report = await worker.run_once()

    assert report.skipped == 2
    assert ledger.capped_until == NOW + timedelta(hours=1)
    assert store.row(first).last_error == "daily cap"
    assert store.row(second).last_error == "X 24-hour cap reached until 13:00 UTC"
    assert x.sent == []
    assert ledger.spends == []
