"""Settling the outbox on SQLAlchemy: `bot.core.settle_ports.SettleStore` over one session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.database import Database
from bot.adapters.storage.scheduling import SelectionRepository
from bot.core.model import DeliveryKind
from bot.core.settle_ports import OverduePost, SettleUnit


class SqlSettleUnit:
    """`bot.core.settle_ports.SettleUnit` over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._selection = SelectionRepository(session)

    async def stale(self, kind: DeliveryKind, published_before: datetime) -> list[int]:
        """Pending posts of this kind of articles published before the time."""
        return await self._selection.stale_pending(kind, published_before)

    async def skip(self, delivery_ids: Sequence[int], reason: str) -> None:
        """End them as skipped."""
        await self._selection.skip(delivery_ids, reason)

    async def overdue(self, now: datetime) -> list[OverduePost]:
        """Pending posts due before `now`, in order."""
        return [OverduePost(*row) for row in await self._selection.overdue(now)]

    async def reschedule(self, delivery_id: int, due: datetime) -> None:
        """Move one pending post."""
        await self._selection.reschedule(delivery_id, due)

    async def commit(self) -> None:
        """Commit the session."""
        await self.session.commit()


class SqlSettleStore:
    """`bot.core.settle_ports.SettleStore` on a database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SettleUnit]:
        """One session."""
        async with self.db.session() as session:
            yield SqlSettleUnit(session)
