"""One bad item costs only itself: the others are stored, and the bad one is seen.

Each feed is served over HTTP from 127.0.0.1 and read by the real ingestor
into SQLite (and PostgreSQL, when `NASHIR_TEST_DATABASE_URL` is set), where a
NUL in a title or an over-long link used to abort the whole poll.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.sources.fetch import Fetcher
from bot.adapters.sources.sanitise import MAX_TITLE
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.ingest_store import SqlIngestStore
from bot.adapters.storage.sources import SourceRepository
from bot.core.clock import ManualClock
from bot.core.events import RecordingEvents
from bot.core.model import Source
from bot.entrypoints.health import HealthCheck
from bot.services.alerts import AlertingEvents, Alerts
from bot.services.ingest import IngestOptions, Ingestor

NEWS = "https://news.example.com"
HUGE_TITLE = "عنوان طويل جدا " * 70_000  # about 1 MB
LONG_LINK = f"{NEWS}/story?q=" + "x" * 2100


def _rss(*items: tuple[str, str]) -> str:
    entries = "".join(f"<item><title>{t}</title><link>{link}</link></item>" for t, link in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>{NEWS}/</link>{entries}</channel></rss>"
    )


RSS = _rss(
    ("الخبر الأول", f"{NEWS}/1"),
    ("رابط معطوب", "http://[bad]/x"),
    ("رابط برمجي", "javascript:alert(document.cookie)"),
    ("رابط بيانات", "data:text/html,hi"),
    ("رابط ملف", "file:///etc/passwd"),
    ("عنوان داخلي", "http://10.1.2.3/admin"),
    ("رابط طويل", LONG_LINK),
    (HUGE_TITLE, f"{NEWS}/huge"),
    ("الخبر الأخير", f"{NEWS}/2"),
)
JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"id": "a", "url": f"{NEWS}/a", "title": "عنوان فيه\u0000 صفر"},
            {"id": "b", "url": LONG_LINK, "title": "رابط طويل"},
            {"id": "c", "url": f"{NEWS}/c", "title": "خبر سليم", "summary": "ملخص\u0000"},
        ],
    }
)
GOOD_FEED = _rss(("خبر سليم تماما", f"{NEWS}/ok"))


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    app = web.Application()
    for path, body, kind in (
        ("/rss.xml", RSS, "application/rss+xml"),
        ("/feed.json", JSON_FEED, "application/feed+json"),
        ("/good.xml", GOOD_FEED, "application/rss+xml"),
    ):
        app.router.add_get(
            path,
            lambda _r, body=body, kind=kind: web.Response(text=body, content_type=kind),
        )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


@pytest.fixture
async def kit(db: Database) -> AsyncIterator[tuple[Ingestor, list[str], RecordingEvents]]:
    clock = ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    recorded = RecordingEvents()
    alerts = Alerts(clock)
    alerts.send = send
    events = AlertingEvents(recorded, alerts, source_failures=3)

    async def only_the_test_server(url: str, *, allow_private: bool) -> None:
        assert url.startswith("http://127.0.0.1:")

    # The feeds come from 127.0.0.1, but the links in them are judged as in
    # production: private addresses are not allowed.
    fetcher = Fetcher.create(
        version="test",
        homepage="tests",
        guard=only_the_test_server,
        transport=httpx.AsyncHTTPTransport(),
    )
    ingestor = Ingestor(
        SqlIngestStore(db), fetcher, clock, IngestOptions(complete_from_page=False), events=events
    )
    yield ingestor, sent, recorded
    await fetcher.aclose()


async def _source(db: Database, url: str) -> Source:
    async with db.session() as session:
        source = await SourceRepository(session).ensure(url, datetime(2026, 3, 1, tzinfo=UTC))
        await session.commit()
    return source


async def _reload(db: Database, source: Source) -> Source:
    async with db.session() as session:
        fresh = await SourceRepository(session).get(source.id)
    assert fresh is not None
    return fresh


async def test_bad_items_are_skipped_logged_and_the_rest_stored(
    db: Database,
    origin: str,
    kit: tuple[Ingestor, list[str], RecordingEvents],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ingestor, _, _ = kit
    caplog.set_level(logging.WARNING, logger="bot")
    source = await _source(db, f"{origin}/rss.xml")

    report = await ingestor.poll(source)

    assert report.status == "partial"
    async with db.session() as session:
        stored = {a.url: a for a in await ArticleRepository(session).latest(50)}
    assert set(stored) == {f"{NEWS}/1", f"{NEWS}/huge", f"{NEWS}/2"}
    huge = stored[f"{NEWS}/huge"].title
    assert len(huge) <= MAX_TITLE
    assert huge.startswith("عنوان طويل جدا")

    lines = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(lines) == 6, lines
    assert all(source.url in line for line in lines)
    assert any("http://[bad]/x" in line and "not a valid URL" in line for line in lines)
    assert any("(a javascript: link)" in line for line in lines)
    assert any("(a data: link)" in line for line in lines)
    assert any("(a file: link)" in line for line in lines)
    assert any("private address" in line for line in lines)
    assert any("longer than 2048" in line for line in lines)
    assert not any("alert(document.cookie)" in r.getMessage() for r in caplog.records)

    fresh = await _reload(db, source)
    assert fresh.failures == 1
    assert fresh.primed
    assert (fresh.last_error or "").startswith("6 items skipped: ")


async def test_a_nul_in_a_json_feed_title_is_stripped_and_a_long_link_refused(
    db: Database, origin: str, kit: tuple[Ingestor, list[str], RecordingEvents]
) -> None:
    ingestor, _, _ = kit
    source = await _source(db, f"{origin}/feed.json")

    report = await ingestor.poll(source)

    assert report.status == "partial"
    assert len(report.skipped) == 1
    assert "longer than 2048" in report.skipped[0]
    async with db.session() as session:
        stored = {a.url: a for a in await ArticleRepository(session).latest(50)}
    assert stored[f"{NEWS}/a"].title == "عنوان فيه صفر"
    assert stored[f"{NEWS}/c"].summary == "ملخص"
    assert len(stored) == 2


async def test_items_skipped_poll_after_poll_reach_the_alert_and_healthz(
    db: Database, origin: str, kit: tuple[Ingestor, list[str], RecordingEvents]
) -> None:
    ingestor, sent, recorded = kit
    bad = await _source(db, f"{origin}/rss.xml")
    good = await _source(db, f"{origin}/good.xml")

    for _ in range(3):
        await ingestor.poll(await _reload(db, bad))
        await ingestor.poll(await _reload(db, good))
        ingestor.clock.advance(120)  # type: ignore[attr-defined]
    for _ in range(50):  # the alert is sent from a task of its own
        if sent:
            break
        await _yield()

    statuses = [(e[1], e[2]) for e in recorded.seen if e[0] == "poll_finished"]
    assert statuses == [(bad.url, "partial"), (good.url, "ok")] * 3
    assert sent == [
        f"⚠️ Source skipping items 3 polls in a row (see /healthz or the log): {bad.url}"
    ]
    assert (await _reload(db, bad)).failures == 3
    assert (await _reload(db, good)).failures == 0

    health = await HealthCheck(
        db, ingestor.clock, scheduler_running=lambda: True, max_poll_age=600
    ).check()
    assert health.healthy  # a restart would not mend a feed
    assert health.notes["sources"].startswith(f"{bad.url} failing (3 in a row): 6 items skipped")
    assert good.url not in health.notes["sources"]


async def _yield() -> None:
    import asyncio

    await asyncio.sleep(0.01)
