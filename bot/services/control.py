"""The pause switch: a paused bot runs no posting job, on every instance at once.

The state is a row of the shared `flags` table, so an admin's /pause on one
instance stops the delivery worker, trending and digests on all of them, and
survives a restart. Polling goes on while paused: stories are stored and
queued, and what became stale meanwhile is dropped on resume
(`Outbox.settle`), so resuming never bursts old news into a channel.
"""

from __future__ import annotations

from datetime import datetime

from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository

PAUSED_FLAG = "paused"


async def set_paused(db: Database, paused: bool, now: datetime) -> None:
    """Pause or resume posting for every instance."""
    async with db.session() as session:
        await FlagRepository(session).set(PAUSED_FLAG, "1" if paused else "0", now)
        await session.commit()


async def is_paused(db: Database) -> bool:
    """Whether an admin paused posting."""
    async with db.session() as session:
        return await FlagRepository(session).get(PAUSED_FLAG) == "1"
