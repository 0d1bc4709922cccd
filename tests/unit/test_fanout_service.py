"""Fanouts from a script on in-memory units of work: every subscriber once, in pages."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from publishing_fakes import FakeOutbox

from bot.core.clock import ManualClock
from bot.core.model import DeliveryKind, DestinationKind, DestinationState
from bot.services.fanout import article_to_subscribers, broadcast, fanout

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def outbox() -> FakeOutbox:
    state = FakeOutbox()
    state.add(DestinationKind.CHANNEL, "@news")  # a channel is no subscriber
    state.subscribers(5)
    return state


def private_ids(outbox: FakeOutbox) -> list[int]:
    return [d.id for d in outbox.destinations if d.kind is DestinationKind.PRIVATE and d.active]


async def test_a_fanout_reaches_every_active_subscriber_once_in_pages_in_one_commit(
    outbox: FakeOutbox,
) -> None:
    blocked = outbox.destinations[3]
    outbox.destinations[3] = dataclasses.replace(blocked, state=DestinationState.DISABLED)
    added = await fanout(
        outbox.units(),
        ManualClock(NOW),
        key="alert:1",
        kind=DeliveryKind.BROADCAST,
        payload="تنبيه",
        priority=5,
        page=2,
    )
    assert added == 4
    assert sorted(outbox.keyed("alert:1")) == private_ids(outbox)
    assert blocked.id not in outbox.keyed("alert:1")
    assert outbox.pages_read == [2, 2, 0]
    assert outbox.commits == 1
    assert {(r.post.due, r.post.priority, r.post.payload) for r in outbox.rows.values()} == {
        (NOW, 5, "تنبيه")
    }


async def test_repeating_a_fanout_with_its_key_adds_nothing(outbox: FakeOutbox) -> None:
    clock = ManualClock(NOW)
    assert await broadcast(outbox.units(), clock, "مرحبا", key="broadcast:once") == 5
    clock.advance(60)
    assert await broadcast(outbox.units(), clock, "مرحبا", key="broadcast:once") == 0
    assert len(outbox.keyed("broadcast:once")) == 5


async def test_a_broadcast_without_a_key_gets_a_fresh_one_each_time(outbox: FakeOutbox) -> None:
    clock = ManualClock(NOW)
    await broadcast(outbox.units(), clock, "أولى")
    await broadcast(outbox.units(), clock, "ثانية")
    keys = {key for key, _ in outbox.rows}
    assert len(keys) == 2
    assert all(key.startswith("broadcast:") for key in keys)


async def test_an_article_goes_to_subscribers_under_its_kinds_key(outbox: FakeOutbox) -> None:
    clock = ManualClock(NOW)
    assert await article_to_subscribers(outbox.units(), clock, 42) == 5
    assert await article_to_subscribers(outbox.units(), clock, 42, kind=DeliveryKind.TRENDING) == 5
    assert {row.post.article_id for row in outbox.keyed("new:42").values()} == {42}
    assert len(outbox.keyed("trending:42")) == 5
