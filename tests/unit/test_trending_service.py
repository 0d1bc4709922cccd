"""Most read on in-memory fakes of its ports: velocity, top N, cooldown, once only; no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from ingest_fakes import FakeIngestStore, FakeStories
from trending_fakes import FakeTrending, FakeTrendingStore

from bot.core.clock import ManualClock
from bot.core.errors import SourceError
from bot.core.model import ArticleDraft, DeliveryKind, DestinationKind, MostReadEntry, Platform
from bot.services.ingest import IngestOptions, Ingestor
from bot.services.publishing import Publishing, PublishingOptions
from bot.services.trending import Trending, TrendingOptions

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Pages(Ingestor):
    """An ingestor whose article pages are given by the test (no fetching); the rules are real."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(
            FakeIngestStore(FakeStories()),
            None,  # type: ignore[arg-type]
            clock,
            IngestOptions(max_reads_per_hour=10_000),
            rng=random.Random(1),
        )
        self.pages: dict[str, ArticleDraft] = {}

    async def read_url(self, url: str) -> ArticleDraft:
        if url not in self.pages:
            raise SourceError("the server answered 404", url=url)
        return self.pages[url]


def options(**changes: object) -> TrendingOptions:
    values: dict[str, object] = {
        "reads_days": 2.0,
        "reads_pages": 10,
        "reads_max_per_hour": 10_000,
        "trending_hours": 3.0,
        "trending_top": 2,
        "trending_min_velocity": 50.0,
        "trending_cooldown_hours": 6.0,
        "trending_to_x": False,
    }
    values.update(changes)
    return TrendingOptions(**values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def state() -> FakeTrending:
    trending = FakeTrending()
    trending.outbox.add(DestinationKind.CHANNEL, "@news")
    trending.outbox.add(DestinationKind.X_ACCOUNT, "me", Platform.X)
    return trending


def service(
    state: FakeTrending, clock: ManualClock, pages: Pages | None = None, **changes: object
) -> Trending:
    publishing = Publishing(
        state.outbox.units(), clock, PublishingOptions(min_gap=0), search=lambda p, t: p in t
    )
    return Trending(
        FakeTrendingStore(state), clock, pages or Pages(clock), publishing, options(**changes)
    )


def climbing(state: FakeTrending, article_id: int, per_hour: int) -> None:
    """An article published two hours ago, read `per_hour` more each hour since."""
    state.article(article_id, NOW - 2 * HOUR)
    state.read(
        article_id,
        (NOW - 2 * HOUR, 100),
        (NOW - HOUR, 100 + per_hour),
        (NOW, 100 + 2 * per_hour),
    )


async def test_the_fastest_articles_above_the_minimum_are_trending_fastest_first(
    state: FakeTrending, clock: ManualClock
) -> None:
    climbing(state, 1, 60)
    climbing(state, 2, 500)
    climbing(state, 3, 200)
    climbing(state, 4, 10)  # under the minimum velocity
    top = await service(state, clock).trending_now()
    assert top == [(2, 500.0), (3, 200.0)]


async def test_articles_older_than_the_reading_window_are_not_candidates(
    state: FakeTrending, clock: ManualClock
) -> None:
    climbing(state, 1, 500)
    state.article(1, NOW - timedelta(days=3))  # published before `reads_days`
    assert await service(state, clock).trending_now() == []


async def test_a_trending_article_is_queued_to_the_channels_once(
    state: FakeTrending, clock: ManualClock
) -> None:
    climbing(state, 7, 300)
    trending = service(state, clock)
    report = await trending.post_trending()
    assert report == "top 1, posted 7"
    assert state.trending_rows(7) == ["@news"]  # not X unless asked
    assert await trending.post_trending() == "top 1, posted none"
    assert state.trending_rows(7) == ["@news"]


async def test_trending_goes_to_x_too_when_asked(state: FakeTrending, clock: ManualClock) -> None:
    climbing(state, 7, 300)
    await service(state, clock, trending_to_x=True).post_trending()
    assert state.trending_rows(7) == ["@news", "me"]


async def test_an_article_posted_as_new_waits_out_the_cooldown(
    state: FakeTrending, clock: ManualClock
) -> None:
    climbing(state, 7, 300)
    state.sent[(7, DeliveryKind.NEW)] = NOW - 2 * HOUR
    trending = service(state, clock)
    assert await trending.post_trending() == "top 1, posted none, cooling down 7"
    assert state.trending_rows(7) == []
    clock.advance(timedelta(hours=4, minutes=1).total_seconds())
    state.read(7, (clock.now(), 100 + 2 * 300 + 4 * 300))  # still climbing
    assert await trending.post_trending() == "top 1, posted 7"


async def test_an_article_still_waiting_to_be_posted_as_new_is_not_trending_yet(
    state: FakeTrending, clock: ManualClock
) -> None:
    climbing(state, 7, 300)
    state.waiting.add((7, DeliveryKind.NEW))
    assert await service(state, clock).post_trending() == "top 1, posted none, cooling down 7"
    assert state.trending_rows(7) == []


async def test_a_refresh_keeps_page_and_most_read_counters_and_discards_implausible_ones(
    state: FakeTrending, clock: ManualClock
) -> None:
    for article_id in (1, 2, 3):
        state.article(article_id, NOW - HOUR)
        state.read(article_id, (NOW - HOUR, 1000))
    pages = Pages(clock)
    pages.pages["https://site.example/a/1"] = ArticleDraft(
        url="https://site.example/a/1",
        title="خبر 1",
        reads=1500,
        most_read=(
            MostReadEntry("خبر 2", "https://site.example/a/2?ref=block", None, 1800),
            MostReadEntry("خبر 3", "https://site.example/a/3", None, 900),  # went down
        ),
    )
    report = await service(state, clock, pages).refresh_reads()
    assert (report.pages, report.kept, report.discarded) == (1, 2, 1)
    assert len(report.errors) == 2  # pages 2 and 3 could not be read
    assert state.readings[1][-1] == (NOW, 1500)
    assert state.readings[2][-1] == (NOW, 1800)
    assert state.readings[3] == [(NOW - HOUR, 1000)]
    assert state.commits == 1  # every reading of the run in one commit
