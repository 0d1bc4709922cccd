"""Flags: small named values kept in the database rather than in memory.

Every instance reads the same row, so a pause, the scheduler leader's lease or
the X spending cap holds for all of them and survives a restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.database import Database
from bot.adapters.storage.tables import FlagRow


class FlagRepository:
    """Named values shared by every instance (pause, X cap, quiet-site watch, job results)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, name: str) -> str | None:
        """The value, or None when never set."""
        return await self.session.scalar(select(FlagRow.value).where(FlagRow.name == name))

    async def set(self, name: str, value: str, now: datetime) -> None:
        """Create or replace the value."""
        row = await self.session.get(FlagRow, name)
        if row is None:
            self.session.add(FlagRow(name=name, value=value, updated_at=now))
        else:
            row.value = value
            row.updated_at = now


async def claim_once(db: Database, name: str, now: datetime, *, forget_before: datetime) -> bool:
    """Record `name` unless it is already there: True for the first claim of all instances.

    The flag's primary key decides between instances racing for the same
    name; claims of the same prefix stamped before `forget_before` are
    dropped first, so the table holds one window's worth.
    """
    prefix = name.split(":", 1)[0] + ":"
    async with db.session() as session:
        await session.execute(
            delete(FlagRow).where(
                FlagRow.name.like(f"{prefix}%"), FlagRow.updated_at < forget_before
            )
        )
        session.add(FlagRow(name=name, value=now.isoformat(), updated_at=now))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
    return True
