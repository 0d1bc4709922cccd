"""A big feed's first poll stores its items without fetching a page for each.

Page completion fetches an item's page only when the item will be posted,
and spaces those fetches to one host `page_interval` apart.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.sources.fetch import Fetcher
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.ingest_store import SqlIngestStore
from bot.adapters.storage.sources import SourceRepository
from bot.core.clock import ManualClock
from bot.core.model import Source
from bot.services.ingest import IngestOptions, Ingestor

ITEMS = 300  # enough to tell one page per item from none; storing dominates the time
PAGE = (
    "<html><head><title>خبر</title></head><body><div class='labels'>عدن</div><article><h1>خبر</h1>"
    "<p>نص الخبر الكامل كما نشره الموقع، بما يكفي ليكون مقالا حقيقيا يقرأه الناس.</p>"
    "</article></body></html>"
)


@dataclass
class Site:
    items: int = ITEMS
    pages: list[tuple[str, float]] = field(default_factory=list)
    origin: str = ""

    def feed(self) -> str:
        entries = "".join(
            f"<item><title>الخبر رقم {n}</title><link>{self.origin}/article/{n}</link></item>"
            for n in range(self.items, 0, -1)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>t</title><link>{self.origin}/</link>{entries}</channel></rss>"
        )


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    state = Site()

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(text=state.feed(), content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        state.pages.append((request.path, time.monotonic()))
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/rss.xml", feed)
    app.router.add_get("/article/{n}", page)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.origin = f"http://127.0.0.1:{server.port}"
    yield state
    await server.close()


@pytest.fixture
async def ingestor(db: Database) -> AsyncIterator[Ingestor]:
    fetcher = Fetcher.create(version="test", homepage="tests", allow_private=True)
    yield Ingestor(
        SqlIngestStore(db),
        fetcher,
        ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC)),
        IngestOptions(complete_from_page=True, page_interval=0.2),
    )
    await fetcher.aclose()


async def _source(db: Database, url: str) -> Source:
    async with db.session() as session:
        source = await SourceRepository(session).ensure(url, datetime(2026, 3, 1, tzinfo=UTC))
        await session.commit()
        fresh = await SourceRepository(session).get(source.id)
    assert fresh is not None
    return fresh


async def test_a_first_poll_stores_every_item_without_fetching_pages(
    db: Database, site: Site, ingestor: Ingestor
) -> None:
    source = await _source(db, f"{site.origin}/rss.xml")

    report = await ingestor.poll(source)

    assert report.status == "ok"
    assert site.pages == []
    async with db.session() as session:
        assert await ArticleRepository(session).count() == ITEMS


async def test_only_items_that_will_be_posted_fetch_their_page_one_host_paced(
    db: Database, site: Site, ingestor: Ingestor
) -> None:
    site.items = 3
    await ingestor.poll(await _source(db, f"{site.origin}/rss.xml"))
    site.items = 6  # three new stories at once, all on one host

    report = await ingestor.poll(await _source(db, f"{site.origin}/rss.xml"))

    assert len(report.new) == 3
    assert sorted(path for path, _ in site.pages) == ["/article/4", "/article/5", "/article/6"]
    starts = sorted(at for _, at in site.pages)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= 0.18 for gap in gaps), gaps


async def test_a_sources_selectors_read_the_pages_its_feed_items_link_to(
    db: Database, site: Site, ingestor: Ingestor
) -> None:
    site.items = 1
    await ingestor.poll(await _source(db, f"{site.origin}/rss.xml"))
    site.items = 3
    source = await _source(db, f"{site.origin}/rss.xml")
    labelled = dataclasses.replace(source, selectors=(("tags", "div.labels"),))

    plain = await ingestor.read_url(f"{site.origin}/article/1")
    report = await ingestor.poll(labelled)

    assert plain.tags == ()
    assert [article.tags for article in report.new] == [("عدن",), ("عدن",)]
