"""Approval mode on in-memory fakes: what an admin's ✅ ✏️ ❌ do to the held posts, no database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from approval_fakes import FakeHeldPosts
from publishing_fakes import FakeOutbox

from bot.core.clock import ManualClock
from bot.core.model import Article, Destination, DestinationKind, Platform
from bot.services.approval import Approval
from bot.services.publishing import ApprovalRule, Publishing, PublishingOptions

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Admins:
    """Records approval requests."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def __call__(self, article: Article, held: Sequence[Destination]) -> None:
        self.asked.append(article.id)


@pytest.fixture
def outbox() -> FakeOutbox:
    state = FakeOutbox()
    state.add(DestinationKind.CHANNEL, "@news")
    state.add(DestinationKind.CHANNEL, "@other")
    state.add(DestinationKind.X_ACCOUNT, "me", Platform.X)
    return state


def approval(outbox: FakeOutbox, *addresses: str) -> tuple[Approval, Publishing]:
    clock = ManualClock(START)
    options = PublishingOptions(min_gap=0, approval=ApprovalRule.of(addresses))
    publishing = Publishing(
        outbox.units(), clock, options, search=lambda pattern, text: False, ask=Admins()
    )
    return Approval(FakeHeldPosts(outbox), clock, publishing), publishing


def held(service: Approval) -> FakeHeldPosts:
    assert isinstance(service.held, FakeHeldPosts)
    return service.held


async def announce(publishing: Publishing, number: int, **fields: object) -> None:
    values: dict[str, object] = {
        "url": f"https://news.example/{number}",
        "title": f"خبر رقم {number}",
        "published_at": START,
    }
    values.update(fields)
    await publishing.announce(Article(id=number, **values))  # type: ignore[arg-type]


async def test_it_is_on_only_when_some_destination_is_named(outbox: FakeOutbox) -> None:
    off, _ = approval(outbox)
    on, _ = approval(outbox, "x")
    assert not off.enabled
    assert on.enabled
    assert on.needs_approval(outbox.destination(3))
    assert not on.needs_approval(outbox.destination(1))


async def test_the_held_posts_are_counted_and_only_the_named_destinations_listed(
    outbox: FakeOutbox,
) -> None:
    service, publishing = approval(outbox, "@news", "x")
    await announce(publishing, 1)
    assert await service.waiting(1) == 2
    destinations = await service.held_destinations(1)
    assert [d.address for d in destinations] == ["@news", "me"]
    assert await service.waiting(2) == 0


async def test_approving_releases_them_once(outbox: FakeOutbox) -> None:
    service, publishing = approval(outbox, "@news")
    await announce(publishing, 1)
    assert await service.approve(1) == 1
    assert not outbox.keyed("new:1")[1].post.held
    assert await service.waiting(1) == 0
    assert await service.approve(1) == 0


async def test_dropping_keeps_them_from_ever_going_and_says_who_did(outbox: FakeOutbox) -> None:
    service, publishing = approval(outbox, "@news")
    await announce(publishing, 1)
    assert await service.drop(1, user_id=42) == 1
    assert await service.waiting(1) == 0
    assert list(held(service).dropped.values()) == ["dropped by admin 42"]
    assert await service.drop(1, user_id=42) == 0


async def test_a_new_headline_goes_only_on_the_held_posts(outbox: FakeOutbox) -> None:
    service, publishing = approval(outbox, "@news")
    await announce(publishing, 1)
    assert await service.set_headline(1, "عنوان المحرر") == 1
    rows = outbox.keyed("new:1")
    assert rows[1].post.payload is not None
    assert json.loads(rows[1].post.payload) == {"title": "عنوان المحرر"}
    assert rows[2].post.payload is None  # @other was never held
    assert await service.set_headline(7, "لا شيء") == 0
