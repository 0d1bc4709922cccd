"""In-memory fakes of the delivery side's ports: the queue, the X ledger, the posted copies.

`FakeQueue` keeps outbox rows, destinations and subscribers in dicts and
behaves as the database does for the worker: a claim counts an attempt and
marks rows `sending`, a retry may refund it, a record of sends happens all
at once or (when told to fail) not at all. `ScriptedPublisher` is a platform
that answers each send as told. Nothing here touches a database or HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.delivery_ports import BatchFacts, LedgerReading, PostedCopy, SentRecord, Wake
from bot.core.model import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    DestinationState,
    Platform,
    Post,
)


@dataclass
class Row:
    """One outbox row and what the database keeps beside the `Delivery`."""

    delivery: Delivery
    priority: int = 0
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    sent_at: datetime | None = None
    content_hash: str | None = None
    removed_at: datetime | None = None


@dataclass
class FakeQueue:
    """The outbox, destinations, articles' flags and subscribers of one fake store."""

    rows: dict[int, Row] = field(default_factory=dict)
    destinations: dict[int, Destination] = field(default_factory=dict)
    skipped: set[int] = field(default_factory=set)
    breaking: set[int] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)  # private chats whose subscriber is blocked
    fail_records: int = 0  # how many next `record_sent` calls fail (nothing written)
    recorded: list[int] = field(default_factory=list)  # size of every committed record
    wakes: list[Wake] = field(default_factory=list)

    # --- setting up -------------------------------------------------------------------

    def destination(
        self,
        kind: DestinationKind = DestinationKind.CHANNEL,
        address: str = "@news",
        platform: Platform = Platform.TELEGRAM,
    ) -> Destination:
        """A new active destination."""
        destination = Destination(len(self.destinations) + 1, platform, kind, address)
        self.destinations[destination.id] = destination
        return destination

    def queue(
        self,
        destination: Destination,
        due: datetime,
        *,
        article_id: int | None = None,
        kind: DeliveryKind = DeliveryKind.NEW,
        priority: int = 0,
        attempts: int = 0,
    ) -> int:
        """A pending row due at `due`; its id. Workers subscribed by `on_queued` are woken."""
        delivery_id = len(self.rows) + 1
        self.rows[delivery_id] = Row(
            Delivery(
                delivery_id,
                destination.id,
                kind,
                DeliveryState.PENDING,
                article_id=article_id,
                attempts=attempts,
                next_attempt_at=due,
            ),
            priority=priority,
        )
        for wake in list(self.wakes):
            wake()
        return delivery_id

    def state(self, delivery_id: int) -> DeliveryState:
        """The row's state."""
        return self.rows[delivery_id].delivery.state

    def row(self, delivery_id: int) -> Delivery:
        """The row as the worker would read it."""
        return self.rows[delivery_id].delivery

    def _set(self, delivery_id: int, **values: object) -> None:
        row = self.rows[delivery_id]
        row.delivery = replace(row.delivery, **values)  # type: ignore[arg-type]

    # --- the port ---------------------------------------------------------------------

    async def release_stale(self, older_than: datetime) -> int:
        stale = [
            row
            for row in self.rows.values()
            if row.delivery.state is DeliveryState.SENDING
            and row.claimed_at is not None
            and row.claimed_at < older_than
        ]
        for row in stale:
            row.claimed_by = None
            self._set(row.delivery.id, state=DeliveryState.PENDING)
        return len(stale)

    async def claim(self, now: datetime, limit: int, worker: str) -> list[Delivery]:
        due = sorted(
            (
                row
                for row in self.rows.values()
                if row.delivery.state is DeliveryState.PENDING
                and row.delivery.next_attempt_at is not None
                and row.delivery.next_attempt_at <= now
            ),
            key=lambda r: (-r.priority, r.delivery.next_attempt_at, r.delivery.id),
        )[:limit]
        for row in due:
            row.claimed_at, row.claimed_by = now, worker
            self._set(
                row.delivery.id,
                state=DeliveryState.SENDING,
                attempts=row.delivery.attempts + 1,
            )
        return [row.delivery for row in due]

    async def facts(self, batch: Sequence[Delivery]) -> BatchFacts:
        articles = {d.article_id for d in batch if d.article_id is not None}
        return BatchFacts(
            {d.destination_id: self.destinations[d.destination_id] for d in batch},
            articles & self.skipped,
            articles & self.breaking,
        )

    async def record_sent(self, records: Sequence[SentRecord]) -> None:
        if self.fail_records:
            self.fail_records -= 1
            raise ConnectionError("the store is unreachable")
        for record in records:
            row = self.rows[record.delivery_id]
            row.sent_at, row.content_hash = record.sent_at, record.content_hash
            self._set(
                record.delivery_id,
                state=DeliveryState.SENT,
                message_id=record.message_id,
                last_error=None,
            )
        self.recorded.append(len(records))

    async def next_due(self) -> datetime | None:
        due = [
            row.delivery.next_attempt_at
            for row in self.rows.values()
            if row.delivery.state is DeliveryState.PENDING
            and row.delivery.next_attempt_at is not None
        ]
        return min(due, default=None)

    async def release(self, ids: Sequence[int]) -> None:
        for delivery_id in ids:
            row = self.rows[delivery_id]
            if row.delivery.state is DeliveryState.SENDING:
                row.claimed_by = None
                self._set(
                    delivery_id, state=DeliveryState.PENDING, attempts=row.delivery.attempts - 1
                )

    async def retry(self, delivery_id: int, error: str, at: datetime, *, refund: bool) -> None:
        row = self.rows[delivery_id]
        row.claimed_by = None
        attempts = row.delivery.attempts - 1 if refund else row.delivery.attempts
        self._set(
            delivery_id,
            state=DeliveryState.PENDING,
            next_attempt_at=at,
            last_error=error,
            attempts=attempts,
        )

    async def final(self, delivery_id: int, state: DeliveryState, error: str | None) -> None:
        self._set(delivery_id, state=state, last_error=error)

    async def move(self, destination_id: int, new_address: str) -> bool:
        moving = self.destinations[destination_id]
        if any(
            d.platform is moving.platform and d.address == new_address and d.id != destination_id
            for d in self.destinations.values()
        ):
            return False
        self.destinations[destination_id] = replace(moving, address=new_address)
        return True

    async def disable(
        self, destination_id: int, reason: str, *, blocked_chat: str | None = None
    ) -> None:
        self.destinations[destination_id] = replace(
            self.destinations[destination_id],
            state=DestinationState.DISABLED,
            disabled_reason=reason,
        )
        if blocked_chat is not None:
            self.blocked.add(blocked_chat)

    def on_queued(self, wake: Wake) -> Callable[[], None]:
        self.wakes.append(wake)
        return lambda: self.wakes.remove(wake)

    async def listen(self, wake: Wake, stop: asyncio.Event) -> None:
        await stop.wait()  # one process: `on_queued` already hears everything


class ScriptedPublisher:
    """A platform that accepts every post unless told to fail the next sends to an address."""

    def __init__(self, platform: Platform = Platform.TELEGRAM) -> None:
        self.platform = platform
        self.sent: list[tuple[str, str]] = []  # (address, text)
        self.plain: list[tuple[str, str]] = []  # (address, plain text) sent as the fallback
        self.edits: list[tuple[str, str, str]] = []  # (address, message id, text)
        self.deleted: list[tuple[str, str]] = []  # (address, message id)
        self.failures: dict[str, list[Exception]] = {}  # address -> what its next sends raise
        self.plain_failures: list[Exception] = []
        self.edit_failures: list[Exception] = []
        self.delete_failures: dict[str, Exception] = {}  # message id -> what deleting raises
        self.gate: asyncio.Event | None = None  # when set up, every send waits for it

    def fail(self, address: str, *errors: Exception) -> None:
        """The next sends to `address` raise these, in order."""
        self.failures.setdefault(address, []).extend(errors)

    async def send(self, destination: Destination, post: Post) -> str:
        if self.gate is not None:
            await self.gate.wait()
        pending = self.failures.get(destination.address)
        if pending:
            raise pending.pop(0)
        self.sent.append((destination.address, post.text))
        return f"m{len(self.sent)}"

    async def send_plain(self, destination: Destination, post: Post) -> str:
        if self.plain_failures:
            raise self.plain_failures.pop(0)
        self.plain.append((destination.address, post.plain_text))
        return f"p{len(self.plain)}"

    async def edit(self, destination: Destination, message_id: str, post: Post) -> None:
        if self.edit_failures:
            raise self.edit_failures.pop(0)
        self.edits.append((destination.address, message_id, post.text))

    async def delete(self, destination: Destination, message_id: str) -> None:
        failure = self.delete_failures.get(message_id)
        if failure is not None:
            raise failure
        self.deleted.append((destination.address, message_id))


def post_for(text: str, platform: Platform = Platform.TELEGRAM, link: str = "") -> Post:
    """A rendered post with this text."""
    return Post(platform, text, f"plain {text}", link)


@dataclass
class Spend:
    """One post in the fake X ledger."""

    at: datetime
    cost: float
    with_link: bool
    delivery_id: int | None


@dataclass
class FakeLedger:
    """The X ledger: spends and the stored cap, as `SqlXLedger` keeps them."""

    spends: list[Spend] = field(default_factory=list)
    capped_until: datetime | None = None

    async def read(self, *, day_since: datetime, month_since: datetime) -> LedgerReading:
        posts = sum(1 for s in self.spends if s.at >= day_since)
        money = sum(s.cost for s in self.spends if s.at >= month_since)
        return LedgerReading(posts, money, self.capped_until)

    async def record(
        self, *, at: datetime, cost: float, with_link: bool, delivery_id: int | None
    ) -> None:
        self.spends.append(Spend(at, cost, with_link, delivery_id))

    async def cap(self, until: datetime, now: datetime) -> None:
        self.capped_until = until


@dataclass
class FakeCopies:
    """Sent copies of articles (`PostedCopies` and `Removals` over one `FakeQueue`)."""

    queue: FakeQueue
    skipped_articles: list[int] = field(default_factory=list)

    def sent(
        self, destination: Destination, article_id: int, message_id: str, content: str | None
    ) -> int:
        """A copy already sent, showing `content` (its fingerprint); its delivery id."""
        delivery_id = self.queue.queue(destination, datetime.min, article_id=article_id)
        row = self.queue.rows[delivery_id]
        row.content_hash = content
        self.queue._set(delivery_id, state=DeliveryState.SENT, message_id=message_id)
        return delivery_id

    def _copies(self, article_id: int) -> list[PostedCopy]:
        return [
            PostedCopy(
                row.delivery, self.queue.destinations[row.delivery.destination_id], row.content_hash
            )
            for row in sorted(self.queue.rows.values(), key=lambda r: r.delivery.id)
            if row.delivery.article_id == article_id
            and row.delivery.state is DeliveryState.SENT
            and row.delivery.message_id is not None
            and row.removed_at is None
        ]

    async def posted(self, article_id: int) -> list[PostedCopy]:
        return self._copies(article_id)

    async def set_content_hash(self, delivery_id: int, content_hash: str) -> None:
        self.queue.rows[delivery_id].content_hash = content_hash

    async def withdraw(self, article_id: int, reason: str) -> tuple[int, list[PostedCopy]]:
        self.skipped_articles.append(article_id)
        self.queue.skipped.add(article_id)
        cancelled = 0
        for row in self.queue.rows.values():
            if (
                row.delivery.article_id == article_id
                and row.delivery.state is DeliveryState.PENDING
            ):
                self.queue._set(row.delivery.id, state=DeliveryState.SKIPPED, last_error=reason)
                cancelled += 1
        return cancelled, self._copies(article_id)

    async def mark_removed(self, delivery_id: int, now: datetime) -> None:
        self.queue.rows[delivery_id].removed_at = now


def ids(rows: Iterable[Delivery]) -> list[int]:
    """The ids of these rows."""
    return [row.id for row in rows]
