"""Taking an article down on in-memory fakes of the copies and the platforms, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from delivery_fakes import FakeCopies, FakeQueue, ScriptedPublisher

from bot.core.clock import ManualClock
from bot.core.errors import Rejected
from bot.core.model import DeliveryState, DestinationKind, Platform
from bot.services.removal import delete_everywhere

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ARTICLE = 7


@pytest.fixture
def copies() -> FakeCopies:
    return FakeCopies(FakeQueue())


async def test_the_article_is_skipped_its_queue_cancelled_and_every_copy_deleted(
    copies: FakeCopies,
) -> None:
    channel = copies.queue.destination()
    account = copies.queue.destination(DestinationKind.X_ACCOUNT, "me", Platform.X)
    on_telegram = copies.sent(channel, ARTICLE, "m1", None)
    on_x = copies.sent(account, ARTICLE, "x1", None)
    queued = copies.queue.queue(channel, NOW, article_id=ARTICLE)
    other = copies.queue.queue(channel, NOW, article_id=ARTICLE + 1)
    telegram, x = ScriptedPublisher(), ScriptedPublisher(Platform.X)

    report = await delete_everywhere(
        copies, ManualClock(NOW), {"telegram": telegram, "x": x}, ARTICLE
    )

    assert (report.deleted, report.cancelled, report.failed) == (2, 1, 0)
    assert report.complete
    assert copies.skipped_articles == [ARTICLE]
    assert telegram.deleted == [("@news", "m1")]
    assert x.deleted == [("me", "x1")]
    assert copies.queue.state(queued) is DeliveryState.SKIPPED
    assert copies.queue.row(queued).last_error == "article removed"
    assert copies.queue.state(other) is DeliveryState.PENDING
    assert [copies.queue.rows[d].removed_at for d in (on_telegram, on_x)] == [NOW, NOW]


async def test_a_copy_that_could_not_be_deleted_is_retried_by_the_next_removal(
    copies: FakeCopies,
) -> None:
    channel = copies.queue.destination()
    group = copies.queue.destination(DestinationKind.GROUP, "-100")
    copies.sent(channel, ARTICLE, "m1", None)
    stuck = copies.sent(group, ARTICLE, "m2", None)
    telegram = ScriptedPublisher()
    telegram.delete_failures["m2"] = Rejected("message can't be deleted")
    clock = ManualClock(NOW)

    first = await delete_everywhere(copies, clock, {"telegram": telegram}, ARTICLE)

    assert (first.deleted, first.failed) == (1, 1)
    assert not first.complete
    assert first.errors == ["telegram:-100: message can't be deleted"]
    assert copies.queue.rows[stuck].removed_at is None

    del telegram.delete_failures["m2"]
    second = await delete_everywhere(copies, clock, {"telegram": telegram}, ARTICLE)

    assert (second.deleted, second.failed) == (1, 0)
    assert telegram.deleted == [("@news", "m1"), ("-100", "m2")]


async def test_copies_on_a_platform_without_a_publisher_are_left_recorded(
    copies: FakeCopies,
) -> None:
    account = copies.queue.destination(DestinationKind.X_ACCOUNT, "me", Platform.X)
    kept = copies.sent(account, ARTICLE, "x1", None)

    report = await delete_everywhere(copies, ManualClock(NOW), {}, ARTICLE)

    assert (report.deleted, report.failed) == (0, 0)
    assert copies.queue.rows[kept].removed_at is None
    assert copies.skipped_articles == [ARTICLE]
