"""The port of most read: recent articles, their read samples and what was posted of them.

`TrendingStore.unit()` opens one transaction: trending reads candidates and
samples through it, and a counter refresh keeps every reading of one run in
one commit (`bot.core.ingest_ports.ReadingLog`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from bot.core.ingest_ports import Reading, ReadingLog
from bot.core.model import Article, DeliveryKind, Destination, DestinationKind


class TrendingUnit(ReadingLog, Protocol):
    """One transaction over articles, read samples and the outbox (read only but readings)."""

    async def recent(self, since: datetime, limit: int) -> list[tuple[int, str]]:
        """(id, url) of unskipped articles published (or first seen) since, newest first."""
        ...

    async def samples(
        self, article_ids: Sequence[int], since: datetime
    ) -> dict[int, list[Reading]]:
        """Samples of these articles from `since` on, plus the last one before it, oldest first."""
        ...

    async def key_used(self, key: str) -> bool:
        """Whether any destination has a post under this outbox key."""
        ...

    async def first_sent(self, article_id: int, kind: DeliveryKind) -> datetime | None:
        """When a post of this kind of the article first went out anywhere."""
        ...

    async def pending(self, article_id: int, kind: DeliveryKind) -> bool:
        """Whether a post of this kind of the article still waits to be sent."""
        ...

    async def article(self, article_id: int) -> Article | None:
        """A stored article."""
        ...

    async def destinations(self, kinds: Sequence[DestinationKind]) -> list[Destination]:
        """Active destinations of these kinds."""
        ...

    async def commit(self) -> None:
        """Make the readings kept durable."""
        ...


class TrendingStore(Protocol):
    """Opens trending's transactions."""

    def unit(self) -> AbstractAsyncContextManager[TrendingUnit]:
        """One transaction: `async with store.unit() as unit: ...`."""
        ...
