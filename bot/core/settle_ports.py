"""The port of settling the outbox after downtime: stale posts, overdue posts, one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import DeliveryKind


@dataclass(frozen=True, slots=True)
class OverduePost:
    """A pending post whose time has passed."""

    delivery_id: int
    destination_id: int
    priority: int


class SettleUnit(Protocol):
    """One transaction over the pending posts: nothing is durable before `commit`."""

    async def stale(self, kind: DeliveryKind, published_before: datetime) -> list[int]:
        """Pending posts of this kind whose article was published before the time."""
        ...

    async def skip(self, delivery_ids: Sequence[int], reason: str) -> None:
        """End these pending posts as skipped, with the reason."""
        ...

    async def overdue(self, now: datetime) -> list[OverduePost]:
        """Pending posts due before `now`, by destination, then by due time."""
        ...

    async def reschedule(self, delivery_id: int, due: datetime) -> None:
        """Move one pending post to a new time."""
        ...

    async def commit(self) -> None:
        """Make the changes durable together."""
        ...


class SettleStore(Protocol):
    """Opens the settling transaction."""

    def unit(self) -> AbstractAsyncContextManager[SettleUnit]:
        """One transaction: `async with store.unit() as unit: ...; await unit.commit()`."""
        ...
