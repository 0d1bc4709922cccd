"""The X budget's ledger on SQLAlchemy: `bot.core.delivery_ports.XLedger`.

Spending is the `x_spend` table (sums over it, so every instance sees the
same budget); X's announced cap is a flag every instance reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_store import DeliveryStore
from bot.adapters.storage.flags import FlagRepository
from bot.core.delivery_ports import LedgerReading

CAPPED_FLAG: Final = "x_capped_until"


class SqlXLedger:
    """The ledger of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def read(self, *, day_since: datetime, month_since: datetime) -> LedgerReading:
        """Posts and money since these moments and the stored cap, in one read."""
        async with self.db.session() as session:
            store = DeliveryStore(session)
            posts, _ = await store.spend_since(day_since)
            _, spent = await store.spend_since(month_since)
            raw = await FlagRepository(session).get(CAPPED_FLAG)
        return LedgerReading(posts, spent, datetime.fromisoformat(raw) if raw else None)

    async def record(
        self, *, at: datetime, cost: float, with_link: bool, delivery_id: int | None
    ) -> None:
        """One post on X in the ledger, committed."""
        async with self.db.session() as session:
            await DeliveryStore(session).record_spend(
                at=at, cost=cost, with_link=with_link, delivery_id=delivery_id
            )
            await session.commit()

    async def cap(self, until: datetime, now: datetime) -> None:
        """Store X's announced reset, committed."""
        async with self.db.session() as session:
            await FlagRepository(session).set(CAPPED_FLAG, until.isoformat(), now)
            await session.commit()
