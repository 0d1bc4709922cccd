"""Queries for operating the bot: what metrics, health checks and OPML need.

They read across tables (the outbox by destination, subscribers by state,
the freshest poll) and return plain values; like every repository, nothing
here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import as_utc
from bot.adapters.storage.tables import DeliveryRow, DestinationRow, SourceRow, SubscriberRow
from bot.core.model import DeliveryState, DestinationKind

WAITING = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)


@dataclass(frozen=True, slots=True)
class QueueDepth:
    """Deliveries waiting for one destination label and when the oldest was queued."""

    destination: str
    waiting: int
    oldest: datetime


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A source as OPML sees it: its URL and the title it was given."""

    url: str
    title: str | None


class OperationsRepository:
    """Read-mostly queries over the whole store."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def queue_depths(self) -> list[QueueDepth]:
        """Waiting deliveries per destination, labelled as metrics label them.

        Private chats share one label per platform (there may be thousands).
        """
        query = (
            select(
                DestinationRow.platform,
                DestinationRow.kind,
                DestinationRow.address,
                func.count(DeliveryRow.id),
                func.min(DeliveryRow.created_at),
            )
            .join(DestinationRow, DestinationRow.id == DeliveryRow.destination_id)
            .where(DeliveryRow.state.in_(WAITING))
            .group_by(DestinationRow.platform, DestinationRow.kind, DestinationRow.address)
        )
        merged: dict[str, tuple[int, datetime]] = {}
        for platform, kind, address, count, oldest in await self.session.execute(query):
            name = (
                f"{platform}:private"
                if kind == DestinationKind.PRIVATE.value
                else f"{platform}:{address}"
            )
            stamp = as_utc(oldest)
            if name in merged:
                before_count, before_oldest = merged[name]
                merged[name] = (before_count + count, min(before_oldest, stamp))
            else:
                merged[name] = (int(count), stamp)
        return [QueueDepth(name, count, oldest) for name, (count, oldest) in sorted(merged.items())]

    async def subscriber_counts(self) -> dict[str, int]:
        """Subscribers per state (active, blocked, ...)."""
        rows = await self.session.execute(
            select(SubscriberRow.state, func.count()).group_by(SubscriberRow.state)
        )
        return {str(state): int(count) for state, count in rows}

    async def last_poll_success(self) -> datetime | None:
        """When any enabled source was last polled successfully."""
        value = await self.session.scalar(
            select(func.max(SourceRow.last_success_at)).where(SourceRow.enabled.is_(True))
        )
        return as_utc(value) if value is not None else None

    async def enabled_sources(self) -> int:
        """How many sources are polled."""
        value = await self.session.scalar(
            select(func.count()).select_from(SourceRow).where(SourceRow.enabled.is_(True))
        )
        return int(value or 0)

    async def source_entries(self) -> list[SourceEntry]:
        """Every source with its title, oldest first."""
        rows = await self.session.execute(
            select(SourceRow.url, SourceRow.title).order_by(SourceRow.id)
        )
        return [SourceEntry(url, title) for url, title in rows]

    async def set_source_title(self, url: str, title: str | None) -> None:
        """Name a source (kept for export); an empty title clears it."""
        await self.session.execute(
            update(SourceRow).where(SourceRow.url == url).values(title=(title or None))
        )
