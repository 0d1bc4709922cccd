"""Publishing on in-memory fakes of its ports: every way a post enters the outbox, no database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from publishing_fakes import FakeOutbox, FakeUnit

from bot.core.clock import ManualClock
from bot.core.events import Events
from bot.core.model import Article, DeliveryKind, Destination, DestinationKind, Platform
from bot.services.publishing import (
    BREAKING_PRIORITY,
    ApprovalRule,
    Publishing,
    PublishingOptions,
)

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GAP = 60.0


class Recorder(Events):
    """Keeps what publishing reported."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, int]] = []

    def delivery_queued(self, destination: str, count: int = 1) -> None:
        self.queued.append((destination, count))


class Admins:
    """Records approval requests."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, list[str]]] = []

    async def __call__(self, article: Article, held: Sequence[Destination]) -> None:
        self.asked.append((article.id, [d.address for d in held]))


def _search(pattern: str, text: str) -> bool:
    return pattern in text


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def state() -> FakeOutbox:
    outbox = FakeOutbox()
    outbox.add(DestinationKind.CHANNEL, "@news")
    outbox.add(DestinationKind.X_ACCOUNT, "me", Platform.X)
    return outbox


def service(
    state: FakeOutbox,
    clock: ManualClock,
    *,
    approval: ApprovalRule | None = None,
    page: int = 1000,
    admins: Admins | None = None,
    events: Events | None = None,
) -> Publishing:
    options = PublishingOptions(min_gap=GAP, approval=approval or ApprovalRule(), page=page)
    return Publishing(state.units(), clock, options, search=_search, events=events, ask=admins)


def article(number: int, clock: ManualClock, **fields: object) -> Article:
    values: dict[str, object] = {
        "url": f"https://news.example/{number}",
        "title": f"خبر رقم {number}",
        "published_at": clock.now(),
    }
    values.update(fields)
    return Article(id=number, **values)  # type: ignore[arg-type]


async def test_a_new_article_goes_to_every_channel_and_its_followers_in_one_commit(
    state: FakeOutbox, clock: ManualClock
) -> None:
    readers = state.subscribers(3)
    state.followers[1] = [readers[0].id, readers[2].id]
    events = Recorder()

    added = await service(state, clock, events=events).announce(article(1, clock, tags=("الطقس",)))

    assert added == 4
    assert state.commits == 1
    assert set(state.keyed("new:1")) == {1, 2}
    assert set(state.keyed("follow:1")) == {readers[0].id, readers[2].id}
    assert all(row.post.due == START for row in state.rows.values())
    assert sorted(events.queued) == [("telegram:@news", 1), ("telegram:private", 2), ("x:me", 1)]


async def test_rows_written_in_the_callers_unit_wait_for_its_commit(
    state: FakeOutbox, clock: ManualClock
) -> None:
    admins = Admins()
    publishing = service(state, clock, approval=ApprovalRule.of(["@news"]), admins=admins)
    unit = FakeUnit(state)

    assert await publishing.announce(article(1, clock), unit) == 1
    assert state.rows == {}  # nothing is visible, nobody is asked, before the commit
    assert admins.asked == []

    await unit.commit()
    assert set(state.keyed("new:1")) == {1, 2}
    assert admins.asked == [(1, ["@news"])]


async def test_a_unit_that_never_commits_leaves_nothing_and_asks_nobody(
    state: FakeOutbox, clock: ManualClock
) -> None:
    admins = Admins()
    publishing = service(state, clock, approval=ApprovalRule.of(["x"]), admins=admins)

    await publishing.announce(article(1, clock), FakeUnit(state))  # the process dies here

    assert state.rows == {}
    assert admins.asked == []
    assert await publishing.announce(article(1, clock)) == 1  # the next poll finds it again
    assert admins.asked == [(1, ["me"])]


async def test_approval_holds_the_named_destinations_and_asks_after_the_commit(
    state: FakeOutbox, clock: ManualClock
) -> None:
    admins = Admins()
    publishing = service(state, clock, approval=ApprovalRule.of([" @NEWS "]), admins=admins)

    assert await publishing.announce(article(1, clock)) == 1

    rows = state.keyed("new:1")
    assert rows[1].post.held
    assert not rows[2].post.held
    assert admins.asked == [(1, ["@news"])]
    assert await publishing.post_now(article(1, clock)) == 0  # already queued: nobody asked twice
    assert admins.asked == [(1, ["@news"])]
    assert await publishing.approve(1) == 1
    assert not state.keyed("new:1")[1].post.held
    assert state.keyed("new:1")[1].post.due == START


async def test_breaking_news_skips_approval_and_spacing_unless_told_otherwise(
    state: FakeOutbox, clock: ManualClock
) -> None:
    admins = Admins()
    bypass = service(state, clock, approval=ApprovalRule.of(["@news"]), admins=admins)
    await bypass.announce(article(1, clock))
    assert await bypass.announce(article(2, clock, breaking=True)) == 2
    row = state.keyed("new:2")[1]
    assert (row.post.held, row.post.due, row.post.priority) == (False, START, BREAKING_PRIORITY)

    strict = service(
        state, clock, approval=ApprovalRule.of(["@news"], breaking_bypass=False), admins=admins
    )
    await strict.announce(article(3, clock, breaking=True))
    assert state.keyed("new:3")[1].post.held
    assert [asked for asked, _ in admins.asked] == [1, 3]


async def test_posts_to_one_channel_are_spaced_and_private_chats_are_not(
    state: FakeOutbox, clock: ManualClock
) -> None:
    [reader] = state.subscribers(1)
    state.followers = {1: [reader.id], 2: [reader.id]}
    publishing = service(state, clock)

    await publishing.announce(article(1, clock, tags=("t",)))
    await publishing.announce(article(2, clock, tags=("t",)))

    assert state.keyed("new:2")[1].post.due == START + timedelta(seconds=GAP)
    assert state.keyed("follow:2")[reader.id].post.due == START


async def test_filters_and_quiet_hours_of_a_destination_hold(
    state: FakeOutbox, clock: ManualClock
) -> None:
    state.rules[1] = json.dumps({"exclude": {"words": ["إعلان"]}})
    state.rules[2] = json.dumps({"quiet_hours": "08:00-10:00"})
    publishing = service(state, clock)

    assert await publishing.announce(article(1, clock, title="إعلان تجاري")) == 1

    assert 1 not in state.keyed("new:1")
    assert state.keyed("new:1")[2].post.due == START.replace(hour=10)


async def test_stale_or_skipped_articles_are_never_queued(
    state: FakeOutbox, clock: ManualClock
) -> None:
    publishing = service(state, clock)
    old = article(1, clock, published_at=START - timedelta(days=2))
    state.skipped.add(2)

    assert await publishing.announce(old) == 0
    assert await publishing.announce(article(2, clock)) == 0
    assert await publishing.trending(article(2, clock), state.destinations) == 0
    assert state.rows == {}


async def test_post_now_applies_approval_and_followers_like_a_new_article(
    state: FakeOutbox, clock: ManualClock
) -> None:
    [reader] = state.subscribers(1)
    state.followers[5] = [reader.id]
    admins = Admins()
    publishing = service(state, clock, approval=ApprovalRule.of(["@news"]), admins=admins)

    assert await publishing.post_now(article(5, clock, tags=("t",))) == 2

    assert state.keyed("new:5")[1].post.held
    assert reader.id in state.keyed("follow:5")
    assert admins.asked == [(5, ["@news"])]


async def test_followers_are_read_in_pages_and_queued_once(
    state: FakeOutbox, clock: ManualClock
) -> None:
    readers = state.subscribers(25)
    state.followers[1] = [r.id for r in readers]
    publishing = service(state, clock, page=10)
    item = article(1, clock, tags=("t",))

    assert await publishing.followers(item) == 25
    assert state.bulk_calls == 3  # one statement per page of followers without rules
    assert await publishing.followers(item) == 0
    assert await publishing.announce(item) == 2  # the channels only: followers already have it


async def test_trending_and_digests_take_their_own_keys(
    state: FakeOutbox, clock: ManualClock
) -> None:
    publishing = service(state, clock)
    channel = state.destination(1)

    assert await publishing.trending(article(1, clock), [channel]) == 1
    assert await publishing.trending(article(1, clock), [channel]) == 0
    assert (
        await publishing.message(
            [channel],
            key="digest:2026-03-01",
            kind=DeliveryKind.DIGEST,
            payload='{"articles": [1]}',
        )
        == 1
    )

    assert state.keyed("trending:1")[1].post.kind is DeliveryKind.TRENDING
    digest = state.keyed("digest:2026-03-01")[1].post
    assert digest.payload == '{"articles": [1]}'
    assert digest.due == START + timedelta(seconds=GAP)  # spaced after the trending post


async def test_broadcast_reads_recipients_page_by_page_and_a_repeat_adds_nothing(
    state: FakeOutbox, clock: ManualClock
) -> None:
    state.subscribers(2500)
    publishing = service(state, clock, page=1000)

    assert await publishing.broadcast("مرحباً", key="broadcast:t1") == 2500
    assert state.pages_read == [1000, 1000, 500, 0]
    assert state.commits == 1
    assert await publishing.broadcast("مرحباً", key="broadcast:t1") == 0
    assert len(state.keyed("broadcast:t1")) == 2500
    assert {row.post.payload for row in state.rows.values()} == {"مرحباً"}


async def test_a_follower_with_rules_is_judged_alone_and_the_rest_in_one_statement(
    state: FakeOutbox, clock: ManualClock
) -> None:
    readers = state.subscribers(4)
    state.followers[1] = [r.id for r in readers]
    state.rules[readers[0].id] = json.dumps({"exclude": {"words": ["الطقس"]}})
    state.rules[readers[1].id] = json.dumps({"quiet_hours": "08:00-10:00"})
    events = Recorder()

    added = await service(state, clock, events=events).followers(
        article(1, clock, title="حالة الطقس", tags=("t",))
    )

    rows = state.keyed("follow:1")
    assert added == 3
    assert readers[0].id not in rows
    assert rows[readers[1].id].post.due == START.replace(hour=10)
    assert rows[readers[2].id].post.due == rows[readers[3].id].post.due == START
    assert state.bulk_calls == 1
    assert events.queued == [("telegram:private", 3)]


async def test_an_approval_request_lost_in_a_crash_is_sent_at_the_next_start(
    state: FakeOutbox, clock: ManualClock
) -> None:
    admins = Admins()
    publishing = service(state, clock, approval=ApprovalRule.of(["@news"]), admins=admins)
    held = article(1, clock)
    state.articles[1] = held
    unit = FakeUnit(state)
    await publishing.announce(held, unit)
    unit.commit_and_die()
    assert admins.asked == []

    assert await publishing.replay_asks() == 1
    assert admins.asked == [(1, ["@news"])]
    assert state.asks == set()
    assert await publishing.replay_asks() == 0  # asked once, not at every start


async def test_a_request_is_forgotten_once_sent_or_once_nothing_is_held(
    state: FakeOutbox, clock: ManualClock
) -> None:
    admins = Admins()
    publishing = service(state, clock, approval=ApprovalRule.of(["@news"]), admins=admins)
    for number in (1, 2):
        state.articles[number] = article(number, clock)
    await publishing.announce(state.articles[1])
    assert state.asks == set()  # asked right after the commit, then forgotten

    unit = FakeUnit(state)
    await publishing.announce(state.articles[2], unit)
    unit.commit_and_die()
    await publishing.approve(2)  # an admin approved it from the list before the restart
    assert await publishing.replay_asks() == 0
    assert state.asks == set()
    assert admins.asked == [(1, ["@news"])]
