"""Counts the admins' /stats shows: posts per destination since a time, failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import as_utc
from bot.adapters.storage.tables import DeliveryRow, DestinationRow
from bot.core.model import DeliveryState, DestinationKind


class AdminQueries:
    """Read-only numbers about the outbox."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent_since(self, since: datetime) -> list[tuple[str, int]]:
        """(destination label, posts sent since `since`), private chats counted together."""
        rows = await self.session.execute(
            select(
                DestinationRow.platform,
                DestinationRow.kind,
                DestinationRow.address,
                func.count(DeliveryRow.id),
            )
            .join(DestinationRow, DestinationRow.id == DeliveryRow.destination_id)
            .where(DeliveryRow.state == DeliveryState.SENT.value, DeliveryRow.sent_at >= since)
            .group_by(DestinationRow.platform, DestinationRow.kind, DestinationRow.address)
            .order_by(DestinationRow.platform, DestinationRow.address)
        )
        counts: dict[str, int] = {}
        for platform, kind, address, count in rows:
            label = _label(platform, kind, address)
            counts[label] = counts.get(label, 0) + int(count)
        return sorted(counts.items())

    async def sent_times(self, since: datetime) -> list[tuple[str, datetime, datetime]]:
        """(destination label, queued at, sent at) of each post sent since `since`."""
        rows = await self.session.execute(
            select(
                DestinationRow.platform,
                DestinationRow.kind,
                DestinationRow.address,
                DeliveryRow.created_at,
                DeliveryRow.sent_at,
            )
            .join(DestinationRow, DestinationRow.id == DeliveryRow.destination_id)
            .where(DeliveryRow.state == DeliveryState.SENT.value, DeliveryRow.sent_at >= since)
        )
        return [
            (_label(platform, kind, address), as_utc(queued), as_utc(sent))
            for platform, kind, address, queued, sent in rows
            if sent is not None
        ]

    async def failed_since(self, since: datetime) -> int:
        """Deliveries that ended failed and were created since `since`."""
        return int(
            await self.session.scalar(
                select(func.count(DeliveryRow.id)).where(
                    DeliveryRow.state == DeliveryState.FAILED.value,
                    DeliveryRow.created_at >= since,
                )
            )
            or 0
        )


def _label(platform: str, kind: str, address: str) -> str:
    """A destination as /stats names it: private chats are counted together."""
    if kind == DestinationKind.PRIVATE.value:
        return f"{platform} private chats"
    return f"{platform} {address}"
