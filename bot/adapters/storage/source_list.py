"""The list of sources on SQLAlchemy: `bot.core.source_list_ports.SourceList`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.database import Database
from bot.adapters.storage.operations import OperationsRepository
from bot.adapters.storage.sources import SourceRepository
from bot.core.source_list_ports import ListedSource, SourceListUnit


class SqlSourceListUnit:
    """`bot.core.source_list_ports.SourceListUnit` over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._sources = SourceRepository(session)

    async def urls(self) -> list[str]:
        """The URL of every stored source."""
        return [source.url for source in await self._sources.all()]

    async def ensure(self, url: str, now: datetime) -> None:
        """Store the source unless it is there."""
        await self._sources.ensure(url, now)

    async def name(self, url: str, title: str) -> None:
        """Keep the source's title (for export)."""
        await OperationsRepository(self.session).set_source_title(url, title)

    async def commit(self) -> None:
        """Commit the session."""
        await self.session.commit()


class SqlSourceList:
    """`bot.core.source_list_ports.SourceList` on a database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SourceListUnit]:
        """One session."""
        async with self.db.session() as session:
            yield SqlSourceListUnit(session)

    async def entries(self) -> list[ListedSource]:
        """Every stored source with its title, oldest first."""
        async with self.db.session() as session:
            found = await OperationsRepository(session).source_entries()
        return [ListedSource(entry.url, entry.title) for entry in found]
