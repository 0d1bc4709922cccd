"""An in-memory fake of the outbox-settling port: pending posts, changed only on commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.model import DeliveryKind
from bot.core.settle_ports import OverduePost, SettleUnit


@dataclass(frozen=True)
class Pending:
    """One outbox row as settling sees it."""

    id: int
    destination_id: int
    kind: DeliveryKind
    due: datetime
    published: datetime
    priority: int = 0
    state: str = "pending"
    reason: str | None = None


@dataclass
class FakeQueue:
    """The committed rows."""

    rows: dict[int, Pending] = field(default_factory=dict)
    commits: int = 0

    def add(self, destination_id: int, due: datetime, published: datetime, **fields: object) -> int:
        """A pending row; its id."""
        row_id = len(self.rows) + 1
        self.rows[row_id] = Pending(row_id, destination_id, DeliveryKind.NEW, due, published)
        if fields:
            self.rows[row_id] = replace(self.rows[row_id], **fields)  # type: ignore[arg-type]
        return row_id

    def units(self) -> FakeSettleStore:
        """The `SettleStore` port over these rows."""
        return FakeSettleStore(self)


class FakeSettleUnit:
    """`SettleUnit`: reads see this unit's own changes; the queue sees them on commit."""

    def __init__(self, queue: FakeQueue) -> None:
        self.queue = queue
        self.rows = dict(queue.rows)

    async def stale(self, kind: DeliveryKind, published_before: datetime) -> list[int]:
        return [
            r.id
            for r in self.rows.values()
            if r.kind is kind and r.state == "pending" and r.published < published_before
        ]

    async def skip(self, delivery_ids: Sequence[int], reason: str) -> None:
        for row_id in delivery_ids:
            self.rows[row_id] = replace(self.rows[row_id], state="skipped", reason=reason)

    async def overdue(self, now: datetime) -> list[OverduePost]:
        due = [r for r in self.rows.values() if r.state == "pending" and r.due < now]
        due.sort(key=lambda r: (r.destination_id, r.due, r.id))
        return [OverduePost(r.id, r.destination_id, r.priority) for r in due]

    async def reschedule(self, delivery_id: int, due: datetime) -> None:
        self.rows[delivery_id] = replace(self.rows[delivery_id], due=due)

    async def commit(self) -> None:
        self.queue.rows = dict(self.rows)
        self.queue.commits += 1


class FakeSettleStore:
    """`SettleStore` over a `FakeQueue`."""

    def __init__(self, queue: FakeQueue) -> None:
        self.queue = queue

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SettleUnit]:
        yield FakeSettleUnit(self.queue)
