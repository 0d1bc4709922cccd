"""Edits in place on in-memory fakes of the posted copies and the platforms, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from delivery_fakes import FakeCopies, FakeQueue, ScriptedPublisher, post_for

from bot.core.errors import RateLimited, Rejected
from bot.core.model import Delivery, Destination, DestinationKind, Platform, Post
from bot.services.delivery import content_hash
from bot.services.revisions import Revisions

ARTICLE = 7


class Headlines:
    """Renders every copy with the article's current headline."""

    def __init__(self, headline: str) -> None:
        self.headline = headline
        self.rendered: list[int] = []

    async def __call__(self, delivery: Delivery, destination: Destination) -> Post | None:
        self.rendered.append(delivery.id)
        return post_for(self.headline, destination.platform)


@pytest.fixture
def copies() -> FakeCopies:
    return FakeCopies(FakeQueue())


@pytest.fixture
def telegram() -> ScriptedPublisher:
    return ScriptedPublisher()


def fingerprint(text: str, platform: Platform = Platform.TELEGRAM) -> str:
    return content_hash(post_for(text, platform))


async def test_a_changed_copy_is_edited_once_and_an_unchanged_one_costs_no_call(
    copies: FakeCopies, telegram: ScriptedPublisher
) -> None:
    channel = copies.queue.destination()
    group = copies.queue.destination(DestinationKind.GROUP, "-100")
    edited = copies.sent(channel, ARTICLE, "m1", fingerprint("old"))
    copies.sent(group, ARTICLE, "m2", fingerprint("new"))
    copies.sent(channel, ARTICLE + 1, "m3", fingerprint("other story"))
    revisions = Revisions(copies, {"telegram": telegram}, Headlines("new"), None)

    report = await revisions.revise(ARTICLE)

    assert (report.edited, report.unchanged, report.failed) == (1, 1, 0)
    assert telegram.edits == [("@news", "m1", "new")]
    assert copies.queue.rows[edited].content_hash == fingerprint("new")
    again = await revisions.revise(ARTICLE)
    assert (again.edited, again.unchanged) == (0, 2)
    assert len(telegram.edits) == 1


async def test_x_copies_and_copies_without_a_publisher_or_post_are_not_editable(
    copies: FakeCopies, telegram: ScriptedPublisher
) -> None:
    account = copies.queue.destination(DestinationKind.X_ACCOUNT, "me", Platform.X)
    copies.sent(account, ARTICLE, "x1", fingerprint("old", Platform.X))
    x = ScriptedPublisher(Platform.X)
    revisions = Revisions(copies, {"telegram": telegram, "x": x}, Headlines("new"), None)

    report = await revisions.revise(ARTICLE)
    without_publisher = await Revisions(copies, {}, Headlines("new"), None).revise(ARTICLE)

    assert report.not_editable == 1
    assert without_publisher.not_editable == 1
    assert x.edits == []


async def test_a_short_rate_limit_on_an_edit_is_waited_out_once(
    copies: FakeCopies, telegram: ScriptedPublisher
) -> None:
    channel = copies.queue.destination()
    copies.sent(channel, ARTICLE, "m1", fingerprint("old"))
    telegram.edit_failures.append(RateLimited("slow down", retry_after=0.01))

    report = await Revisions(copies, {"telegram": telegram}, Headlines("new"), None).revise(ARTICLE)

    assert report.edited == 1
    assert telegram.edits == [("@news", "m1", "new")]


@pytest.mark.parametrize(
    "error",
    [RateLimited("slow down", retry_after=300), Rejected("message can't be edited")],
    ids=["long rate limit", "refused"],
)
async def test_a_failed_edit_keeps_the_old_fingerprint_so_the_next_revision_retries(
    copies: FakeCopies, telegram: ScriptedPublisher, error: Exception
) -> None:
    channel = copies.queue.destination()
    delivery = copies.sent(channel, ARTICLE, "m1", fingerprint("old"))
    telegram.edit_failures.append(error)
    revisions = Revisions(copies, {"telegram": telegram}, Headlines("new"), None)

    report = await revisions.revise(ARTICLE)

    assert (report.edited, report.failed) == (0, 1)
    assert report.errors == [f"@news: {error}"]
    assert copies.queue.rows[delivery].content_hash == fingerprint("old")
    retried = await revisions.revise(ARTICLE)
    assert retried.edited == 1


async def test_removed_copies_are_not_revised(
    copies: FakeCopies, telegram: ScriptedPublisher
) -> None:
    channel = copies.queue.destination()
    delivery = copies.sent(channel, ARTICLE, "m1", fingerprint("old"))
    await copies.mark_removed(delivery, datetime(2026, 3, 1, tzinfo=UTC))
    render = Headlines("new")

    report = await Revisions(copies, {"telegram": telegram}, render, None).revise(ARTICLE)

    assert (report.edited, report.unchanged, report.not_editable) == (0, 0, 0)
    assert render.rendered == []
