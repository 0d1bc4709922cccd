"""Polling and spacing: what is found goes out promptly, spaced, never in a burst.

Apps are built by `bot.app.build` with the console publisher and a manual
clock; articles arrive through the real ingest path (`Ingestor.store`, or
polls of the demo site over HTTP).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.adapters.sources.fetch import FetchResult
from bot.adapters.storage.pause_flag import SqlPauseFlag
from bot.adapters.storage.sources import SourceRepository
from bot.adapters.storage.tables import DeliveryRow
from bot.app import App
from bot.core.clock import ManualClock
from bot.core.model import ArticleDraft
from bot.services.control import is_paused, set_paused
from bot.services.ingest import IngestOptions, Ingestor
from sandbox import ServerThread
from sandbox.demo_site import DemoSite
from scheduler import jobs
from scheduler.setup import describe_jobs, install_jobs

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
Factory = Callable[..., App]


@pytest.fixture
def app_defaults() -> dict[str, str]:
    return {"NASHIR_MIN_GAP": "60"}


def draft(n: int, *, published: datetime | None = T0, **fields: object) -> ArticleDraft:
    return ArticleDraft(
        url=f"https://news.example/article/{n}",
        title=f"خبر رقم {n} عن موضوع مختلف {n * 7}",
        published_at=published,
        **fields,  # type: ignore[arg-type]
    )


async def deliveries(app: App) -> list[DeliveryRow]:
    async with app.db.session() as session:
        rows = await session.execute(select(DeliveryRow).order_by(DeliveryRow.id))
        return list(rows.scalars())


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def test_ten_simultaneous_new_articles_are_spaced_by_the_minimum_gap(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    app = make_app(clock)
    await app.start()
    for n in range(10):
        await app.ingestor.store(draft(n), source=None, announce=True)
    due = [_utc(row.next_attempt_at) for row in await deliveries(app)]
    assert due == [T0 + timedelta(seconds=60 * i) for i in range(10)]

    sent = await app.jobs.deliver()
    assert sent == 1  # only the first is due now; the others wait their turn
    clock.advance(60)
    assert await app.jobs.deliver() == 1


async def test_a_breaking_article_skips_the_spacing_and_goes_first(make_app: Factory) -> None:
    clock = ManualClock(T0)
    app = make_app(clock)
    await app.start()
    for n in range(5):
        await app.ingestor.store(draft(n), source=None, announce=True)
    urgent = await app.ingestor.store(draft(99, section="عاجل"), source=None, announce=True)
    assert urgent is not None
    assert urgent.breaking
    rows = await deliveries(app)
    breaking = next(row for row in rows if row.article_id == urgent.id)
    assert _utc(breaking.next_attempt_at) == T0
    assert breaking.priority > max(row.priority for row in rows if row is not breaking)
    report = await app.worker.run_once()
    assert report.sent == 2  # the breaking story and the first regular one


async def test_first_poll_stores_without_posting_and_later_stories_are_posted(
    make_app: Factory,
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    site = DemoSite(initially_published=3, clock=clock.now)
    with ServerThread(site.app()) as server:
        app = make_app(clock, NASHIR_SOURCES=f"{server.url}/rss.xml", NASHIR_MIN_GAP="0")
        await app.start()
        (source,) = await app.sources()
        first = await app.jobs.poll_source(source.id)
        assert len(first.new) == 3  # type: ignore[union-attr]
        assert await deliveries(app) == []  # what was already there is stored, not posted

        clock.advance(120)
        site.publish_next()
        await app.jobs.poll_source(source.id)
        assert len(await deliveries(app)) == 1


async def test_a_source_added_later_is_primed_without_posting_its_archive(
    make_app: Factory,
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    site = DemoSite(initially_published=4, clock=clock.now)
    with ServerThread(site.app()) as server:
        app = make_app(clock)
        await app.start()
        async with app.db.session() as session:
            source = await SourceRepository(session).ensure(f"{server.url}/rss.xml", clock.now())
            await session.commit()
        await app.jobs.poll_source(source.id)
        assert await deliveries(app) == []


async def test_an_article_older_than_the_freshness_window_is_stored_not_posted(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    app = make_app(clock, NASHIR_FRESHNESS_HOURS="6")
    await app.start()
    old = await app.ingestor.store(
        draft(1, published=T0 - timedelta(hours=7)), source=None, announce=True
    )
    assert old is not None
    assert await deliveries(app) == []


async def test_a_paused_bot_sends_nothing_and_resuming_drops_what_went_stale(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    app = make_app(clock, NASHIR_FRESHNESS_HOURS="6")
    await app.start()
    await set_paused(SqlPauseFlag(app.db), True, clock.now())
    assert await is_paused(SqlPauseFlag(app.db))
    await app.ingestor.store(draft(1), source=None, announce=True)
    assert await app.jobs.deliver() == 0
    assert await app.jobs.channel_digest() == jobs.PAUSED

    clock.advance(8 * 3600)  # the story is now older than the freshness window
    fresh = await app.ingestor.store(draft(2, published=clock.now()), source=None, announce=True)
    await set_paused(SqlPauseFlag(app.db), False, clock.now())
    skipped, _ = await app.outbox.settle()
    assert skipped == 1
    assert await app.jobs.deliver() == 1
    states = {row.article_id: row.state for row in await deliveries(app)}
    assert fresh is not None
    assert states[fresh.id] == "sent"


async def test_after_downtime_overdue_posts_are_respaced_not_burst(make_app: Factory) -> None:
    clock = ManualClock(T0)
    app = make_app(clock)
    await app.start()
    for n in range(4):
        await app.ingestor.store(draft(n, published=None), source=None, announce=True)
    clock.advance(3600)  # the bot was down: all four are overdue
    _, moved = await app.outbox.settle()
    assert moved == 3
    assert await app.jobs.deliver() == 1
    clock.advance(60)
    assert await app.jobs.deliver() == 1


def test_failing_sources_back_off_exponentially_up_to_the_cap() -> None:
    ingestor = Ingestor(
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        ManualClock(T0),
        IngestOptions(poll_interval=60, jitter=0, max_backoff=900),
    )
    waits = [ingestor._interval(failures).total_seconds() for failures in range(7)]
    assert waits == [60, 120, 240, 480, 900, 900, 900]


def test_poll_intervals_are_jittered() -> None:
    ingestor = Ingestor(
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        ManualClock(T0),
        IngestOptions(poll_interval=100, jitter=0.1),
        rng=random.Random(4),
    )
    waits = {ingestor._interval(0).total_seconds() for _ in range(20)}
    assert len(waits) > 1
    assert all(90 <= wait <= 110 for wait in waits)


async def test_requests_to_one_host_are_limited_but_hosts_do_not_wait_for_each_other() -> None:
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}

    class SlowFetcher:
        async def fetch(self, url: str, **_: object) -> FetchResult:
            host = url.split("/")[2]
            in_flight[host] = in_flight.get(host, 0) + 1
            most[host] = max(most.get(host, 0), in_flight[host])
            await asyncio.sleep(0.01)
            in_flight[host] -= 1
            return FetchResult(
                url=url,
                status=304,
                content=b"",
                text="",
                encoding=None,
                content_type=None,
                etag=None,
                last_modified=None,
                not_modified=True,
                elapsed=0.0,
            )

    ingestor = Ingestor(
        None,  # type: ignore[arg-type]
        SlowFetcher(),  # type: ignore[arg-type]
        ManualClock(T0),
        IngestOptions(host_concurrency=2),
    )
    urls = [f"https://a.example/{n}" for n in range(8)]
    urls += [f"https://b.example/{n}" for n in range(3)]
    await asyncio.gather(*(ingestor.fetch(url) for url in urls))
    assert most == {"a.example": 2, "b.example": 2}


async def test_an_unchanged_feed_costs_one_conditional_get_and_no_write(
    make_app: Factory,
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    site = DemoSite(initially_published=2, clock=clock.now)
    with ServerThread(site.app()) as server:
        app = make_app(clock, NASHIR_SOURCES=f"{server.url}/rss.xml")
        await app.start()
        (source,) = await app.sources()
        await app.jobs.poll_source(source.id)
        async with app.db.session() as session:
            before = await SourceRepository(session).get(source.id)
        clock.advance(60)
        report = await app.jobs.poll_source(source.id)
        assert report.status == "not_modified"  # type: ignore[union-attr]
        async with app.db.session() as session:
            after = await SourceRepository(session).get(source.id)
        assert after == before  # nothing written for an unchanged feed
        clock.advance(600)
        await app.jobs.poll_source(source.id)
        async with app.db.session() as session:
            later = await SourceRepository(session).get(source.id)
        assert later is not None
        assert later.last_success_at == clock.now()


async def test_the_schedule_lists_every_job_with_its_next_run_and_last_result(
    make_app: Factory,
) -> None:
    clock = ManualClock(T0)
    app = make_app(clock, NASHIR_SOURCES="https://news.example/rss.xml")
    await app.start()
    scheduler = app.scheduler
    install_jobs(scheduler, app.jobs, app.schedule, await app.sources())
    scheduler.start(paused=True)
    try:
        scheduler.results["deliver"] = "3 sent (at now)"
        infos = {info.id: info for info in describe_jobs(scheduler)}
    finally:
        scheduler.shutdown(wait=False)
    (source,) = await app.sources()
    expected = {
        f"poll:{source.id}",
        "deliver",
        "recover",
        "leader",
        "sources",
        "most_read",
        "digest@21:00",
        "personal_digests",
        "site_watch",
    }
    assert set(infos) == expected
    assert infos["deliver"].last_result == "3 sent (at now)"
    digest = infos["digest@21:00"].next_run
    assert digest is not None
    assert digest.tzinfo is not None
    assert (digest.hour, digest.minute) == (21, 0)
    assert str(digest.tzinfo) == "Asia/Aden"


def test_nashir_schedule_lists_the_jobs_with_their_next_run(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    monkeypatch.setattr(
        "bot.adapters.logs.configure_logging", lambda **_: None
    )  # keep pytest's logging
    monkeypatch.setenv("NASHIR_DATABASE_URL", database_url)
    monkeypatch.setenv("NASHIR_SOURCES", "https://news.example/rss.xml")
    assert main(["--env-file", "/dev/null", "schedule"]) == 0
    out = capsys.readouterr().out
    assert "posting: on" in out
    assert "poll https://news.example/rss.xml" in out
    assert "most-read digest at 21:00" in out
    assert "next 20" in out
