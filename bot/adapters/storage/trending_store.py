"""Most read's storage on SQLAlchemy: `bot.core.trending_ports.TrendingStore` on repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.scheduling import SampleRepository, SelectionRepository
from bot.core.ingest_ports import Reading
from bot.core.model import Article, DeliveryKind, Destination, DestinationKind
from bot.core.trending_ports import TrendingUnit


class SqlTrendingUnit:
    """`bot.core.trending_ports.TrendingUnit` over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._selection = SelectionRepository(session)
        self._samples = SampleRepository(session)

    async def recent(self, since: datetime, limit: int) -> list[tuple[int, str]]:
        """Unskipped articles published since, newest first."""
        return await self._selection.recent(since, limit)

    async def samples(
        self, article_ids: Sequence[int], since: datetime
    ) -> dict[int, list[Reading]]:
        """Samples of these articles from `since` on."""
        return await self._samples.since(article_ids, since)

    async def last_reading(self, article_id: int) -> Reading | None:
        """The latest kept sample of the article."""
        return await self._samples.last(article_id)

    async def add_reading(self, article_id: int, reads: int, now: datetime) -> None:
        """Keep one more sample."""
        await self._samples.add(article_id, reads, now)

    async def key_used(self, key: str) -> bool:
        """Whether any destination has a delivery with this key."""
        return await self._selection.key_used(key)

    async def first_sent(self, article_id: int, kind: DeliveryKind) -> datetime | None:
        """When a post of this kind of the article first went out."""
        return await self._selection.first_sent(article_id, kind)

    async def pending(self, article_id: int, kind: DeliveryKind) -> bool:
        """Whether a post of this kind of the article still waits."""
        return await self._selection.pending(article_id, kind)

    async def article(self, article_id: int) -> Article | None:
        """A stored article."""
        return await ArticleRepository(self.session).get(article_id)

    async def destinations(self, kinds: Sequence[DestinationKind]) -> list[Destination]:
        """Active destinations of these kinds."""
        return await DestinationRepository(self.session).active(kinds)

    async def commit(self) -> None:
        """Commit the session."""
        await self.session.commit()


class SqlTrendingStore:
    """`bot.core.trending_ports.TrendingStore` on a database: a unit is a session."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[TrendingUnit]:
        """One session."""
        async with self.db.session() as session:
            yield SqlTrendingUnit(session)
