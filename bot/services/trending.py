"""Most read: refresh read counters, measure velocity, post what is trending now, once.

Counters come from two places on a schedule: the pages of the last days'
articles (newest first, `reads_pages` per run) and the site's own most-read
block, which every article page carries, so one fetch updates ten counters.
Each reading is kept as a sample unless it is implausible (`bot.core.selection`).

Trending: the top N articles by velocity (reads per hour over the last
`trending_hours`) are posted with the "most read" label under the outbox key
`trending:<article id>`, unique per destination, so an article is posted as
trending at most once whatever the runs, restarts and instances. One already
posted as new waits `trending_cooldown_hours` after that post, so a channel
never sees the same story twice within those hours.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.errors import NashirError
from bot.core.links import canonical_url
from bot.core.model import ArticleDraft, DeliveryKind
from bot.core.ports import Clock
from bot.core.selection import clean, top_by_velocity, velocity
from bot.core.trending_ports import TrendingStore, TrendingUnit
from bot.services.ingest import Ingestor
from bot.services.publishing import BROADCAST_KINDS, CHANNEL_KINDS, Publishing, delivery_key

log = logging.getLogger(__name__)

CANDIDATES = 300


@dataclass(slots=True)
class RefreshReport:
    """What one counter refresh did."""

    pages: int = 0
    kept: int = 0
    discarded: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.pages} pages read, {self.kept} counters kept, {self.discarded} discarded"
        return text + (f", {len(self.errors)} errors" if self.errors else "")


@dataclass(frozen=True, slots=True)
class TrendingOptions:
    """What counts as trending, and how counters are refreshed (NASHIR_READS_*, _TRENDING_*)."""

    reads_days: float
    reads_pages: int
    reads_max_per_hour: int
    trending_hours: float
    trending_top: int
    trending_min_velocity: float
    trending_cooldown_hours: float
    trending_to_x: bool


class Trending:
    """Refreshes read counters and posts what is trending, through the publishing service."""

    def __init__(
        self,
        store: TrendingStore,
        clock: Clock,
        ingestor: Ingestor,
        publishing: Publishing,
        options: TrendingOptions,
    ) -> None:
        self.store = store
        self.clock = clock
        self.ingestor = ingestor
        self.publishing = publishing
        self.options = options

    async def refresh_reads(self) -> RefreshReport:
        """Read the counters of recent articles from their pages and the most-read block."""
        settings = self.options
        now = self.clock.now()
        async with self.store.unit() as unit:
            recent = await unit.recent(now - timedelta(days=settings.reads_days), CANDIDATES)
        report = RefreshReport()
        pages = recent[: settings.reads_pages]
        drafts = await asyncio.gather(*(self._page(url, report) for _, url in pages))
        readings: dict[int, int] = {}
        by_url = {canonical_url(url): article_id for article_id, url in recent}
        for (article_id, _), draft in zip(pages, drafts, strict=True):
            if draft is None:
                continue
            report.pages += 1
            for entry in draft.most_read:
                known = by_url.get(canonical_url(entry.url)) if entry.url else None
                if known is not None and entry.reads is not None:
                    readings.setdefault(known, entry.reads)
            if draft.reads is not None:
                readings[article_id] = draft.reads
        async with self.store.unit() as unit:
            for article_id, reads in readings.items():
                if await self.ingestor.record_reading(unit, article_id, reads):
                    report.kept += 1
                else:
                    report.discarded += 1
            await unit.commit()
        return report

    async def _page(self, url: str, report: RefreshReport) -> ArticleDraft | None:
        try:
            return await self.ingestor.read_url(url)
        except NashirError as exc:
            report.errors.append(f"{url}: {exc}")
            log.info("could not read the counter of %s: %s", url, exc)
            return None

    async def trending_now(self) -> list[tuple[int, float]]:
        """(article id, reads per hour) of the top N by velocity, fastest first."""
        settings = self.options
        now = self.clock.now()
        window = timedelta(hours=settings.trending_hours)
        async with self.store.unit() as unit:
            recent = await unit.recent(now - timedelta(days=settings.reads_days), CANDIDATES)
            samples = await unit.samples([i for i, _ in recent], now - window)
        speeds = {
            article_id: velocity(clean(found, settings.reads_max_per_hour), now, window)
            for article_id, found in samples.items()
        }
        top = top_by_velocity(speeds, settings.trending_top, settings.trending_min_velocity)
        return [(article_id, speeds[article_id]) for article_id in top]

    async def post_trending(self) -> str:
        """Queue the articles entering the top N that were never posted as trending."""
        settings = self.options
        now = self.clock.now()
        cooldown = timedelta(hours=settings.trending_cooldown_hours)
        top = await self.trending_now()
        posted: list[int] = []
        waiting: list[int] = []
        kinds = BROADCAST_KINDS if settings.trending_to_x else CHANNEL_KINDS
        for article_id, speed in top:
            async with self.store.unit() as unit:
                if await unit.key_used(delivery_key(DeliveryKind.TRENDING, article_id)):
                    continue
                if await _too_soon(unit, article_id, now, cooldown):
                    waiting.append(article_id)
                    continue
                article = await unit.article(article_id)
                destinations = await unit.destinations(kinds)
            if article is None:
                continue
            if await self.publishing.trending(article, destinations):
                log.info("article %d is trending (%.0f reads/hour): queued", article_id, speed)
                posted.append(article_id)
        parts = [f"top {len(top)}", f"posted {_ids(posted)}"]
        if waiting:
            parts.append(f"cooling down {_ids(waiting)}")
        return ", ".join(parts)


async def _too_soon(
    unit: TrendingUnit, article_id: int, now: datetime, cooldown: timedelta
) -> bool:
    """Posted as new less than `cooldown` ago, or still waiting to be."""
    sent = await unit.first_sent(article_id, DeliveryKind.NEW)
    if sent is not None:
        return now - sent < cooldown
    return await unit.pending(article_id, DeliveryKind.NEW)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids) if ids else "none"
