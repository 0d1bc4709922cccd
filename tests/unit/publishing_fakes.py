"""In-memory fakes of publishing's ports: an outbox store and units of work over it.

A unit's writes stay in the unit until it commits, as a database
transaction's do, so a test can tell "queued and committed" from "queued and
rolled back". Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.model import Article, Destination, DestinationKind, DestinationState, Platform
from bot.core.ports import QueuedPost, UnitOfWork

Key = tuple[str, int]  # (outbox key, destination id): unique, as in the database


@dataclass(frozen=True, slots=True)
class Row:
    """One committed outbox row."""

    destination_id: int
    post: QueuedPost
    created_at: datetime


@dataclass
class FakeOutbox:
    """The committed state: destinations, rules, follows, subscribers and outbox rows."""

    destinations: list[Destination] = field(default_factory=list)
    rules: dict[int, str] = field(default_factory=dict)
    skipped: set[int] = field(default_factory=set)
    followers: dict[int, list[int]] = field(default_factory=dict)  # article id -> destination ids
    articles: dict[int, Article] = field(default_factory=dict)  # what asks_due reads back
    rows: dict[Key, Row] = field(default_factory=dict)
    commits: int = 0
    bulk_calls: int = 0  # statements that queued many destinations at once
    asks: set[int] = field(default_factory=set)  # articles the admins are still to be asked about
    pages_read: list[int] = field(default_factory=list)  # size of every recipient page handed out

    def destination(self, destination_id: int) -> Destination:
        """The destination with this id."""
        return next(d for d in self.destinations if d.id == destination_id)

    def add(
        self, kind: DestinationKind, address: str, platform: Platform = Platform.TELEGRAM
    ) -> Destination:
        """A new active destination."""
        destination = Destination(len(self.destinations) + 1, platform, kind, address)
        self.destinations.append(destination)
        return destination

    def subscribers(self, count: int) -> list[Destination]:
        """`count` active private chats."""
        return [self.add(DestinationKind.PRIVATE, str(700000 + i)) for i in range(count)]

    def keyed(self, key: str) -> dict[int, Row]:
        """Committed rows under `key`, by destination id."""
        return {d: row for (k, d), row in self.rows.items() if k == key}

    def units(self) -> Callable[[], AbstractAsyncContextManager[UnitOfWork]]:
        """The `UnitsOfWork` port over this state."""

        @asynccontextmanager
        async def unit() -> AsyncIterator[UnitOfWork]:
            yield FakeUnit(self)

        return unit


class FakeStore:
    """`OutboxStore` inside one unit: reads see committed rows and this unit's own."""

    def __init__(self, state: FakeOutbox) -> None:
        self.state = state
        self.pending: dict[Key, Row] = {}
        self.asks_noted: set[int] = set()
        self.asks_forgotten: set[int] = set()

    def _all(self) -> Iterable[Row]:
        yield from self.state.rows.values()
        yield from self.pending.values()

    async def is_skipped(self, article_id: int) -> bool:
        return article_id in self.state.skipped

    async def destinations(self, kinds: Sequence[DestinationKind]) -> list[Destination]:
        return [
            d
            for d in self.state.destinations
            if d.kind in kinds and d.state is DestinationState.ACTIVE
        ]

    async def follower_page(
        self, article_id: int, *, after: int, limit: int
    ) -> tuple[list[Destination], int | None]:
        ids = sorted(i for i in self.state.followers.get(article_id, []) if i > after)[:limit]
        chats = [self.state.destination(i) for i in ids]
        return [d for d in chats if d.active], (ids[-1] if len(ids) == limit else None)

    async def rules(self, destination_ids: Sequence[int]) -> dict[int, str | None]:
        return {i: self.state.rules.get(i) for i in destination_ids}

    async def last_due(self, destination_id: int) -> datetime | None:
        times = [
            r.post.due
            for r in self._all()
            if r.destination_id == destination_id and not r.post.held
        ]
        return max(times) if times else None

    async def enqueue(self, destination_id: int, post: QueuedPost, now: datetime) -> bool:
        key = (post.key, destination_id)
        if key in self.state.rows or key in self.pending:
            return False
        self.pending[key] = Row(destination_id, post, now)
        return True

    async def enqueue_many(
        self, destination_ids: Sequence[int], post: QueuedPost, now: datetime
    ) -> list[int]:
        self.state.bulk_calls += 1
        return [i for i in destination_ids if await self.enqueue(i, post, now)]

    async def recipient_page(self, *, after: int, limit: int) -> list[int]:
        ids = sorted(
            d.id
            for d in self.state.destinations
            if d.kind is DestinationKind.PRIVATE and d.active and d.id > after
        )[:limit]
        self.state.pages_read.append(len(ids))
        return ids

    async def enqueue_recipients(
        self, *, after: int, through: int, post: QueuedPost, now: datetime
    ) -> int:
        added = 0
        for d in self.state.destinations:
            if d.kind is DestinationKind.PRIVATE and d.active and after < d.id <= through:
                added += await self.enqueue(d.id, post, now)
        return added

    async def release_held(self, article_id: int, now: datetime) -> int:
        released = 0
        for rows in (self.state.rows, self.pending):
            for key, row in list(rows.items()):
                if row.post.article_id == article_id and row.post.held:
                    rows[key] = Row(
                        row.destination_id,
                        QueuedPost(
                            key=row.post.key,
                            kind=row.post.kind,
                            due=now,
                            article_id=row.post.article_id,
                            priority=row.post.priority,
                            payload=row.post.payload,
                        ),
                        row.created_at,
                    )
                    released += 1
        return released

    async def note_ask(self, article_id: int, now: datetime) -> None:
        self.asks_noted.add(article_id)

    async def asks_due(self) -> list[tuple[Article, list[Destination]]]:
        due = []
        for article_id in sorted(self.state.asks):
            held = [
                self.state.destination(row.destination_id)
                for row in self.state.rows.values()
                if row.post.article_id == article_id and row.post.held
            ]
            due.append((self.state.articles[article_id], held))
        return due

    async def forget_ask(self, article_id: int) -> None:
        self.asks_forgotten.add(article_id)


class FakeUnit:
    """`UnitOfWork`: the store's writes reach the state only on commit."""

    def __init__(self, state: FakeOutbox) -> None:
        self.state = state
        self._outbox = FakeStore(state)
        self._after: list[Callable[[], Awaitable[None]]] = []

    @property
    def outbox(self) -> FakeStore:
        return self._outbox

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        self._after.append(action)

    async def commit(self) -> None:
        self.commit_and_die()
        actions, self._after = self._after, []
        for action in actions:
            await action()

    def commit_and_die(self) -> None:
        """The transaction is durable, then the process dies before anything after it runs."""
        self.state.rows.update(self._outbox.pending)
        self._outbox.pending = {}
        self.state.asks |= self._outbox.asks_noted
        self.state.asks -= self._outbox.asks_forgotten
        self.state.commits += 1
