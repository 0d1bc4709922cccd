"""The quiet-site watch's storage: `bot.core.watch_ports.QuietWatchStore` on the flags table."""

from __future__ import annotations

from datetime import datetime

from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository
from bot.adapters.storage.scheduling import SelectionRepository
from bot.core.watch_ports import QuietState

QUIET_FLAG = "site_quiet_alerted"


class SqlQuietWatch:
    """`bot.core.watch_ports.QuietWatchStore` on a database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def state(self) -> QuietState:
        """The newest article's first-seen time and the alerted spell, in one session."""
        async with self.db.session() as session:
            last = await SelectionRepository(session).last_seen()
            alerted = await FlagRepository(session).get(QUIET_FLAG)
        return QuietState(last, alerted)

    async def mark_alerted(self, spell: str, now: datetime) -> None:
        """Keep the alerted spell in the `site_quiet_alerted` flag."""
        async with self.db.session() as session:
            await FlagRepository(session).set(QUIET_FLAG, spell, now)
            await session.commit()
