"""The pause switch on the shared `flags` table: `bot.core.pause_ports.PauseFlag`."""

from __future__ import annotations

from datetime import datetime

from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository

PAUSED_FLAG = "paused"


class SqlPauseFlag:
    """`bot.core.pause_ports.PauseFlag` as the `paused` row of the flags table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def read(self) -> str | None:
        """The stored value."""
        async with self.db.session() as session:
            return await FlagRepository(session).get(PAUSED_FLAG)

    async def write(self, value: str, now: datetime) -> None:
        """Store the value, one transaction."""
        async with self.db.session() as session:
            await FlagRepository(session).set(PAUSED_FLAG, value, now)
            await session.commit()
