"""Most read: counters sampled from the site, velocity, trending posted once with its label."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.adapters.storage.ingest_store import SqlStoryUnit
from bot.adapters.storage.scheduling import SampleRepository
from bot.adapters.storage.tables import DeliveryRow
from bot.app import App
from bot.core.clock import ManualClock
from bot.core.model import Article, ArticleDraft
from sandbox import ServerThread
from sandbox.demo_site import DemoSite

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
Factory = Callable[..., App]


@pytest.fixture
def app_defaults() -> dict[str, str]:
    return {
        "NASHIR_MIN_GAP": "0",
        "NASHIR_TRENDING_TOP": "1",
        "NASHIR_TRENDING_MIN_VELOCITY": "100",
        "NASHIR_TRENDING_COOLDOWN_HOURS": "6",
    }


async def store(app: App, n: int, *, announce: bool = False) -> Article:
    article = await app.ingestor.store(
        ArticleDraft(
            url=f"https://news.example/article/{n}",
            title=f"خبر رقم {n} عن موضوع {n * 11}",
            published_at=app.clock.now(),
        ),
        source=None,
        announce=announce,
    )
    assert article is not None
    return article


async def read(app: App, counts: dict[int, int]) -> None:
    async with app.db.session() as session:
        for article_id, reads in counts.items():
            await app.ingestor.record_reading(SqlStoryUnit(session), article_id, reads)
        await session.commit()


async def trending_rows(app: App) -> list[DeliveryRow]:
    async with app.db.session() as session:
        rows = await session.execute(select(DeliveryRow).where(DeliveryRow.kind == "trending"))
        return list(rows.scalars())


async def test_an_article_entering_the_top_is_posted_once_with_the_most_read_label(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    output = io.StringIO()
    app = make_app(clock, output)
    await app.start()
    fast, slow = await store(app, 1), await store(app, 2)
    await read(app, {fast.id: 100, slow.id: 100})
    clock.advance(1800)
    await read(app, {fast.id: 1100, slow.id: 150})

    assert [article_id for article_id, _ in await app.trending.trending_now()] == [fast.id]
    assert "posted 1" in await app.trending.post_trending()
    assert await app.jobs.deliver() == 1
    assert "الأكثر قراءة" in output.getvalue()

    for _ in range(3):  # it stays on top for hours: still posted once
        clock.advance(1800)
        await read(app, {fast.id: 1100 + int((clock.now() - T0).total_seconds())})
        await app.trending.post_trending()
    assert [row.article_id for row in await trending_rows(app)] == [fast.id]


async def test_an_article_posted_as_new_is_reposted_as_trending_only_after_the_cooldown(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    app = make_app(clock)
    await app.start()
    article = await store(app, 1, announce=True)
    assert await app.jobs.deliver() == 1  # posted as new at T0
    await read(app, {article.id: 100})
    clock.advance(3600)
    await read(app, {article.id: 5000})
    assert "cooling down" in await app.trending.post_trending()
    assert await trending_rows(app) == []

    clock.set(T0 + timedelta(hours=6, minutes=1))
    await read(app, {article.id: 30000})
    await app.trending.post_trending()
    await app.trending.post_trending()
    assert len(await trending_rows(app)) == 1


async def test_counters_that_go_down_or_jump_are_discarded_as_bad_readings(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    app = make_app(clock, NASHIR_READS_MAX_PER_HOUR="10000")
    await app.start()
    article = await store(app, 1)
    async with app.db.session() as session:
        readings = SqlStoryUnit(session)
        assert await app.ingestor.record_reading(readings, article.id, 1000)
        clock.advance(600)
        assert not await app.ingestor.record_reading(readings, article.id, 900)  # went down
        assert not await app.ingestor.record_reading(readings, article.id, 900_000)  # jumped
        assert await app.ingestor.record_reading(readings, article.id, 1200)
        await session.commit()
        samples = await SampleRepository(session).since([article.id], T0)
    assert [reads for _, reads in samples[article.id]] == [1000, 1200]


async def test_counters_are_refreshed_from_article_pages_and_the_most_read_block(
    make_app: Factory,
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    site = DemoSite(initially_published=12, clock=clock.now)
    with ServerThread(site.app()) as server:
        app = make_app(clock, NASHIR_SOURCES=f"{server.url}/rss.xml", NASHIR_READS_PAGES="2")
        await app.start()
        (source,) = await app.sources()
        await app.jobs.poll_source(source.id)
        site.tick(3)
        clock.advance(600)
        report = await app.trending.refresh_reads()
    assert report.pages == 2
    assert report.kept > 2  # two pages, plus the ten rows of the most-read block
    assert report.discarded == 0
