"""The delivery side's ports: the queue the worker drains, the X ledger, the posted copies.

`DeliveryQueue` is everything the delivery worker reads and writes: claiming
due rows, what a batch needs to know about its destinations and articles,
recording outcomes, and being woken when rows are queued. Each method is one
transaction (it commits before returning), so a crash between two calls
leaves exactly what the worker's crash-window notes describe.

`XLedger` is the X budget's memory, `PostedCopies` what edits in place read
and write, `Removals` what taking an article down does. Implemented on the
database in `bot.adapters.storage`; in memory for the unit tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Delivery, DeliveryState, Destination


@dataclass(frozen=True, slots=True)
class SentRecord:
    """One send the platform accepted, waiting to be written."""

    delivery_id: int
    message_id: str
    sent_at: datetime
    content_hash: str | None


@dataclass(frozen=True, slots=True)
class PostedCopy:
    """A sent delivery with its destination: what edits and removals act on."""

    delivery: Delivery
    destination: Destination
    content_hash: str | None


@dataclass(frozen=True, slots=True)
class BatchFacts:
    """What a claimed batch needs before it is sent: its destinations and articles' flags."""

    destinations: Mapping[int, Destination]
    skipped: Collection[int]  # articles an admin said never to post (or removed)
    breaking: Collection[int]  # articles that are breaking news


Wake = Callable[[], None]


class DeliveryQueue(Protocol):
    """The outbox as the delivery worker sees it; every method is its own transaction."""

    async def release_stale(self, older_than: datetime) -> int:
        """Put rows claimed before `older_than` (a stopped worker's) back in the queue; how many."""
        ...

    async def claim(self, now: datetime, limit: int, worker: str) -> list[Delivery]:
        """Mark up to `limit` due rows `sending` by `worker` (never rows another claim holds)."""
        ...

    async def facts(self, batch: Sequence[Delivery]) -> BatchFacts:
        """The destinations of these rows and which of their articles are skipped or breaking."""
        ...

    async def record_sent(self, records: Sequence[SentRecord]) -> None:
        """Mark these rows `sent` with their message ids, all together."""
        ...

    async def next_due(self) -> datetime | None:
        """When the earliest queued row falls due (None with nothing queued)."""
        ...

    async def release(self, ids: Sequence[int]) -> None:
        """Put claimed rows that were never sent back in the queue, their attempt refunded."""
        ...

    async def retry(self, delivery_id: int, error: str, at: datetime, *, refund: bool) -> None:
        """Queue a row again for `at`; `refund` gives back the attempt its claim counted."""
        ...

    async def final(self, delivery_id: int, state: DeliveryState, error: str | None) -> None:
        """Settle a row as `sent`, `failed` or `skipped` for good."""
        ...

    async def move(self, destination_id: int, new_address: str) -> bool:
        """Point a destination at its chat's new address.

        False, and nothing changed, when that address is another destination already.
        """
        ...

    async def disable(
        self, destination_id: int, reason: str, *, blocked_chat: str | None = None
    ) -> None:
        """Stop sending to a destination; with `blocked_chat`, that chat's subscriber is blocked."""
        ...

    def on_queued(self, wake: Wake) -> Callable[[], None]:
        """Call `wake` whenever rows are queued in this process; returns the undo."""
        ...

    async def listen(self, wake: Wake, stop: asyncio.Event) -> None:
        """Call `wake` when other processes queue rows, until `stop` (or return at once)."""
        ...


@dataclass(frozen=True, slots=True)
class LedgerReading:
    """What the X ledger holds for one moment."""

    posts: int  # posts in the day asked for
    money: float  # money spent in the month asked for
    capped_until: datetime | None  # X's announced reset of its 24-hour cap, as last stored


class XLedger(Protocol):
    """The X spending ledger and X's announced cap; shared by every instance."""

    async def read(self, *, day_since: datetime, month_since: datetime) -> LedgerReading:
        """Posts since `day_since`, money since `month_since`, and the stored cap."""
        ...

    async def record(
        self, *, at: datetime, cost: float, with_link: bool, delivery_id: int | None
    ) -> None:
        """One post on X in the ledger."""
        ...

    async def cap(self, until: datetime, now: datetime) -> None:
        """Remember that X refuses posts until `until`."""
        ...


class PostedCopies(Protocol):
    """The sent copies of articles, as edits in place read and update them."""

    async def posted(self, article_id: int) -> list[PostedCopy]:
        """Sent, not yet removed copies of one article, with their destinations."""
        ...

    async def set_content_hash(self, delivery_id: int, content_hash: str) -> None:
        """Remember what a post now shows (after an edit)."""
        ...


class Removals(Protocol):
    """Taking an article down: stop what is queued, then forget each deleted copy."""

    async def withdraw(self, article_id: int, reason: str) -> tuple[int, list[PostedCopy]]:
        """Mark the article skipped, skip its queued rows and read its sent copies.

        One transaction; returns how many queued rows were skipped, and the copies.
        """
        ...

    async def mark_removed(self, delivery_id: int, now: datetime) -> None:
        """The copy was deleted from its platform."""
        ...
