"""A new source's first poll: a 20,000-item feed stored in batches, the event loop kept free.

The feed is served over real HTTP and polled by the real ingestor, as
`nashir run` polls it. The same items stored one transaction each (the
path every later poll takes, `Ingestor.store`) are the baseline, timed in
the same run on a sample and scaled. While the poll runs, a ticker measures
the event loop's longest stall: the time any other source would wait.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.sources.fetch import Fetcher
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.ingest_store import SqlIngestStore
from bot.adapters.storage.sources import SourceRepository
from bot.core.clock import SystemClock
from bot.core.model import ArticleDraft
from bot.services.ingest import IngestOptions, Ingestor

ITEMS = 20_000
BASELINE_SAMPLE = 500


def run(items: int = ITEMS) -> list[str]:
    """Report lines: first-poll time, items stored, longest stall, and the per-item baseline."""
    return asyncio.run(_run(items))


def _feed(origin: str, items: int) -> str:
    entries = "".join(
        f"<item><title>الخبر رقم {n} من الموقع</title><link>{origin}/article/{n}</link>"
        f"<category>وسم {n % 40}</category><category>محافظة {n % 7}</category></item>"
        for n in range(items, 0, -1)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>{origin}/</link>{entries}</channel></rss>"
    )


async def _run(items: int) -> list[str]:
    state: dict[str, str] = {}

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(text=state["feed"], content_type="application/rss+xml")

    application = web.Application()
    application.router.add_get("/rss.xml", feed)
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    origin = f"http://127.0.0.1:{server.port}"
    state["feed"] = _feed(origin, items)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            first, stored, stall = await _first_poll(Path(tmp) / "first.db", origin)
            per_item = await _one_by_one(Path(tmp) / "base.db", origin)
    finally:
        await server.close()
    baseline = per_item * items
    return [
        f"first poll of a {items:,}-item feed: {first:.1f} s, {stored:,} stored, "
        f"longest event-loop stall {stall * 1000:.0f} ms",
        f"baseline, one transaction per item (Ingestor.store): {per_item * 1000:.1f} ms/item, "
        f"{baseline:.0f} s for {items:,} (x{baseline / first:.1f} slower)",
    ]


async def _first_poll(path: Path, origin: str) -> tuple[float, int, float]:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    fetcher = Fetcher.create(
        version="bench", homepage="bench", allow_private=True, max_bytes=64_000_000
    )
    ingestor = Ingestor(
        SqlIngestStore(db), fetcher, SystemClock(), IngestOptions(complete_from_page=True)
    )
    stalls: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            stalls.append(now - last - 0.01)
            last = now

    try:
        async with db.session() as session:
            source = await SourceRepository(session).ensure(f"{origin}/rss.xml", _now())
            await session.commit()
        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        await ingestor.poll(source)
        elapsed = time.perf_counter() - started
        ticking.cancel()
        async with db.session() as session:
            stored = await ArticleRepository(session).count()
    finally:
        await fetcher.aclose()
        await db.close()
    return elapsed, stored, max(stalls, default=0.0)


async def _one_by_one(path: Path, origin: str) -> float:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    fetcher = Fetcher.create(version="bench", homepage="bench", allow_private=True)
    ingestor = Ingestor(
        SqlIngestStore(db), fetcher, SystemClock(), IngestOptions(complete_from_page=False)
    )
    try:
        started = time.perf_counter()
        for n in range(BASELINE_SAMPLE):
            draft = ArticleDraft(
                url=f"{origin}/article/{n}",
                title=f"الخبر رقم {n} من الموقع",
                tags=(f"وسم {n % 40}", f"محافظة {n % 7}"),
            )
            await ingestor.store(draft, source=None, announce=False)
        return (time.perf_counter() - started) / BASELINE_SAMPLE
    finally:
        await fetcher.aclose()
        await db.close()


def _now() -> datetime:
    return datetime.now(UTC)
