"""Destinations: the channels, groups, chats and accounts that posts go to.

A destination a platform refuses is disabled with the reason, never deleted,
so admins can see why it went quiet and its outbox rows (which a delete would
cascade away) stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import destination_from_row, insert_ignoring_conflicts
from bot.adapters.storage.tables import DestinationRow
from bot.core.model import Destination, DestinationKind, DestinationState, Platform


class DestinationRepository:
    """Where posts go, and whether each place still takes them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(
        self,
        platform: Platform,
        kind: DestinationKind,
        address: str,
        now: datetime,
        *,
        thread_id: int | None = None,
        title: str | None = None,
    ) -> Destination:
        """Return the destination, adding it when new (state of an old one is kept)."""
        values = {
            "platform": platform.value,
            "kind": kind.value,
            "address": address,
            "thread_id": thread_id or 0,
            "state": DestinationState.ACTIVE.value,
            "title": title,
            "created_at": now,
        }
        await self.session.execute(insert_ignoring_conflicts(self.session, DestinationRow, values))
        row = await self.session.scalar(
            select(DestinationRow).where(
                DestinationRow.platform == platform.value,
                DestinationRow.address == address,
                DestinationRow.thread_id == (thread_id or 0),
            )
        )
        assert row is not None
        return destination_from_row(row)

    async def get(self, destination_id: int) -> Destination | None:
        """The destination with this id."""
        row = await self.session.get(DestinationRow, destination_id)
        return None if row is None else destination_from_row(row)

    async def active(self, kinds: Sequence[DestinationKind] | None = None) -> list[Destination]:
        """Active destinations, optionally of some kinds only."""
        query = select(DestinationRow).where(DestinationRow.state == DestinationState.ACTIVE.value)
        if kinds:
            query = query.where(DestinationRow.kind.in_([kind.value for kind in kinds]))
        rows = await self.session.execute(query.order_by(DestinationRow.id))
        return [destination_from_row(row) for row in rows.scalars()]

    async def all(self) -> list[Destination]:
        """Every destination, disabled ones too."""
        rows = await self.session.execute(select(DestinationRow).order_by(DestinationRow.id))
        return [destination_from_row(row) for row in rows.scalars()]

    async def disable(self, destination_id: int, reason: str) -> None:
        """Stop posting here and say why (shown to admins)."""
        await self.session.execute(
            update(DestinationRow)
            .where(DestinationRow.id == destination_id)
            .values(state=DestinationState.DISABLED.value, disabled_reason=reason[:1000])
        )

    async def move(self, destination_id: int, new_address: str) -> None:
        """Follow a chat that moved (a group upgraded to a supergroup)."""
        await self.session.execute(
            update(DestinationRow)
            .where(DestinationRow.id == destination_id)
            .values(address=new_address)
        )
