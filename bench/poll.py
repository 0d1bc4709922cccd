"""How cheap an unchanged feed is: a 304 poll against a 200 poll of the same feed.

The demo site serves its RSS feed with ETag and Last-Modified over real
HTTP; the real ingestor polls it with and without validators. Figures are
medians in this process, so they compare, not promise.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bot.adapters.sources.fetch import Fetcher
from bot.adapters.storage.database import Database
from bot.adapters.storage.ingest_store import SqlIngestStore
from bot.adapters.storage.sources import SourceRepository
from bot.core.clock import SystemClock
from bot.services.ingest import IngestOptions, Ingestor
from sandbox import ServerThread
from sandbox.demo_site import DemoSite

ROUNDS = 40


def run(rounds: int = ROUNDS) -> list[str]:
    """Report lines: median time of a 304 poll, a 200 poll and a bare GET of the same feed."""
    return asyncio.run(_run(rounds))


async def _median(rounds: int, step: Callable[[], Awaitable[object]]) -> float:
    await step()  # warm up: connection, caches
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def _run(rounds: int) -> list[str]:
    site = DemoSite(initially_published=12)
    with tempfile.TemporaryDirectory() as tmp, ServerThread(site.app()) as server:
        url = f"{server.url}/rss.xml"
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await db.upgrade()
        fetcher = Fetcher.create(version="bench", homepage="bench", allow_private=True)
        ingestor = Ingestor(
            SqlIngestStore(db), fetcher, SystemClock(), IngestOptions(complete_from_page=False)
        )
        try:
            async with db.session() as session:
                source = await SourceRepository(session).ensure(url, SystemClock().now())
                await session.commit()
            first = await ingestor.poll(source)  # stores the twelve stories
            async with db.session() as session:
                primed = await SourceRepository(session).get(source.id)
            assert primed is not None
            assert primed.etag

            async def not_modified() -> None:
                report = await ingestor.poll(primed)
                assert report.status == "not_modified", report.status

            async def full() -> None:
                blind = dataclasses.replace(primed, etag=None, last_modified=None)
                report = await ingestor.poll(blind)
                assert report.status == "ok"
                assert not report.new

            async with httpx.AsyncClient() as client:

                async def bare() -> None:
                    (await client.get(url)).raise_for_status()

                t304 = await _median(rounds, not_modified)
                t200 = await _median(rounds, full)
                tget = await _median(rounds, bare)
        finally:
            await fetcher.aclose()
            await db.close()
    return [
        f"poll: 304 not-modified poll      {t304:7.2f} ms (median of {rounds})",
        f"poll: 200 poll, {first.found} known items  {t200:7.2f} ms (baseline: same feed)",
        f"poll: bare httpx GET of the feed {tget:7.2f} ms (200, no parsing or database)",
        f"poll: a 304 poll costs {t304 / t200:.0%} of a 200 poll, {t304 / tget:.1f}x a bare GET",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
