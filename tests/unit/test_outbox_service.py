"""Settling the outbox after downtime, on an in-memory fake of its port; no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from settle_fakes import FakeQueue

from bot.core.clock import ManualClock
from bot.core.model import DeliveryKind
from bot.services.outbox import Outbox, OutboxOptions
from bot.services.publishing import BREAKING_PRIORITY

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
OPTIONS = OutboxOptions(min_gap=60.0, freshness=timedelta(hours=24))


def _search(pattern: str, text: str) -> bool:
    return pattern in text


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


def outbox(queue: FakeQueue, options: OutboxOptions = OPTIONS) -> Outbox:
    return Outbox(queue.units(), ManualClock(NOW), options, search=_search)


async def test_new_posts_of_stale_articles_are_dropped_with_the_reason(queue: FakeQueue) -> None:
    old = queue.add(1, NOW - MINUTE, published=NOW - timedelta(hours=30))
    fresh = queue.add(1, NOW + MINUTE, published=NOW - timedelta(hours=2))
    digest = queue.add(
        2, NOW + MINUTE, published=NOW - timedelta(hours=30), kind=DeliveryKind.DIGEST
    )
    skipped, _ = await outbox(queue).settle()
    assert skipped == 1
    assert queue.rows[old].state == "skipped"
    assert queue.rows[old].reason == "stale after downtime"
    assert queue.rows[fresh].state == "pending"
    assert queue.rows[digest].state == "pending"  # only new-article posts go stale


async def test_overdue_posts_are_spaced_a_gap_apart_per_destination(queue: FakeQueue) -> None:
    recent = NOW - timedelta(hours=1)
    a1 = queue.add(1, NOW - 10 * MINUTE, published=recent)
    a2 = queue.add(1, NOW - 9 * MINUTE, published=recent)
    a3 = queue.add(1, NOW - 8 * MINUTE, published=recent)
    b1 = queue.add(2, NOW - 5 * MINUTE, published=recent)
    later = queue.add(1, NOW + 30 * MINUTE, published=recent)
    _, moved = await outbox(queue).settle()
    assert moved == 2
    assert queue.rows[a1].due == NOW - 10 * MINUTE  # the first may go at once
    assert queue.rows[a2].due == NOW + MINUTE
    assert queue.rows[a3].due == NOW + 2 * MINUTE
    assert queue.rows[b1].due == NOW - 5 * MINUTE  # another destination has its own slots
    assert queue.rows[later].due == NOW + 30 * MINUTE  # not overdue: untouched
    assert queue.commits == 1  # dropped and re-spaced in one transaction


async def test_breaking_posts_are_neither_moved_nor_take_a_slot(queue: FakeQueue) -> None:
    recent = NOW - timedelta(hours=1)
    urgent = queue.add(1, NOW - 10 * MINUTE, published=recent, priority=BREAKING_PRIORITY)
    first = queue.add(1, NOW - 9 * MINUTE, published=recent)
    second = queue.add(1, NOW - 8 * MINUTE, published=recent)
    _, moved = await outbox(queue).settle()
    assert moved == 1
    assert queue.rows[urgent].due == NOW - 10 * MINUTE
    assert queue.rows[first].due == NOW - 9 * MINUTE
    assert queue.rows[second].due == NOW + MINUTE


async def test_without_a_gap_nothing_is_moved(queue: FakeQueue) -> None:
    recent = NOW - timedelta(hours=1)
    for n in range(3):
        queue.add(1, NOW - (10 - n) * MINUTE, published=recent)
    assert await outbox(queue, OutboxOptions(min_gap=0)).settle() == (0, 0)
    assert [r.due for r in queue.rows.values()] == [NOW - (10 - n) * MINUTE for n in range(3)]


async def test_a_dropped_post_does_not_take_a_slot(queue: FakeQueue) -> None:
    queue.add(1, NOW - 10 * MINUTE, published=NOW - timedelta(hours=30))  # stale
    first = queue.add(1, NOW - 9 * MINUTE, published=NOW - timedelta(hours=1))
    assert await outbox(queue).settle() == (1, 0)
    assert queue.rows[first].due == NOW - 9 * MINUTE
