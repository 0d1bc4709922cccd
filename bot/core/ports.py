"""The seams between Nashir's core and the outside world, as small Protocols.

A new platform is one new class that satisfies `Publisher`; a new kind of
source is one that satisfies `PageReader`. The core imports only these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import (
    Article,
    Delivery,
    DeliveryKind,
    Destination,
    DestinationKind,
    Platform,
    Post,
)


class Clock(Protocol):
    """The time, injectable so that tests control it instead of sleeping."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Publisher(Protocol):
    """Sends, edits and deletes posts on one platform.

    Implementations translate their library's errors into `bot.core.errors`
    (`RateLimited`, `RecipientGone`, ...): callers decide on meaning only.
    """

    platform: Platform

    async def send(self, destination: Destination, post: Post) -> str:
        """Publish `post` and return the platform's message id."""
        ...

    async def send_plain(self, destination: Destination, post: Post) -> str:
        """Publish the post's plain-text fallback (after the markup was refused)."""
        ...

    async def edit(self, destination: Destination, message_id: str, post: Post) -> None:
        """Replace the text (or caption) of a post in place."""
        ...

    async def delete(self, destination: Destination, message_id: str) -> None:
        """Remove a post."""
        ...


Rendered = Post | None | Exception


class PostRenderer(Protocol):
    """Turns claimed outbox rows into the posts their destinations get.

    A batch at a time, not a row: the deliveries of one batch share work (one
    post for every copy of a channel post, one grouping pass and one read for
    thousands of followed-tag messages). Each item's result is its post, None
    when there is nothing to post, or the exception that stopped that item
    alone: one bad article never stops the batch.
    """

    async def render_batch(self, items: Sequence[tuple[Delivery, Destination]]) -> list[Rendered]:
        """One result per item, in order."""
        ...


@dataclass(frozen=True, slots=True)
class QueuedPost:
    """One post as it enters the outbox: its key, kind, due time and what it carries.

    The key is unique per destination, so queueing the same post twice is a no-op.
    A `held` post waits for an admin's approval whatever its due time says.
    """

    key: str
    kind: DeliveryKind
    due: datetime
    article_id: int | None = None
    priority: int = 0
    payload: str | None = None
    held: bool = False


class OutboxStore(Protocol):
    """What publishing reads and writes inside one unit of work (never commits)."""

    async def is_skipped(self, article_id: int) -> bool:
        """Whether an admin said never to post this article."""
        ...

    async def destinations(self, kinds: Sequence[DestinationKind]) -> list[Destination]:
        """Active destinations of these kinds, by id."""
        ...

    async def follower_page(
        self, article_id: int, *, after: int, limit: int
    ) -> tuple[list[Destination], int | None]:
        """A page of active private chats following a tag of the article, and the next cursor.

        The page holds the chats of up to `limit` followers after cursor `after`;
        the next cursor is None when this page was the last.
        """
        ...

    async def rules(self, destination_ids: Sequence[int]) -> dict[int, str | None]:
        """The stored rules (filters, quiet hours) of these destinations."""
        ...

    async def last_due(self, destination_id: int) -> datetime | None:
        """The latest time a post to this destination is planned or was sent."""
        ...

    async def enqueue(self, destination_id: int, post: QueuedPost, now: datetime) -> bool:
        """Add the post for one destination unless its key is there; True when added."""
        ...

    async def enqueue_many(
        self, destination_ids: Sequence[int], post: QueuedPost, now: datetime
    ) -> list[int]:
        """Add the post, due as it says, for each destination that lacks its key; their ids."""
        ...

    async def recipient_page(self, *, after: int, limit: int) -> list[int]:
        """A page of active subscribers' private-chat destination ids above `after`."""
        ...

    async def enqueue_recipients(
        self, *, after: int, through: int, post: QueuedPost, now: datetime
    ) -> int:
        """Add the post for every recipient id in (`after`, `through`] in one statement."""
        ...

    async def release_held(self, article_id: int, now: datetime) -> int:
        """Make an article's posts held for approval due at `now`; how many."""
        ...

    async def note_ask(self, article_id: int, now: datetime) -> None:
        """Remember that the admins are still to be asked about this article's held posts."""
        ...

    async def asks_due(self) -> list[tuple[Article, list[Destination]]]:
        """Articles the admins are still to be asked about, with their posts still held."""
        ...

    async def forget_ask(self, article_id: int) -> None:
        """The admins were asked (or there is nothing left to ask about)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: what is written through it commits together or not at all."""

    @property
    def outbox(self) -> OutboxStore:
        """The outbox inside this transaction."""
        ...

    async def commit(self) -> None:
        """Make everything written durable, then run the `after_commit` actions."""
        ...

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` once this unit has committed (never if it rolls back)."""
        ...


UnitsOfWork = Callable[[], AbstractAsyncContextManager[UnitOfWork]]
"""Opens a unit of work: `async with units() as unit: ...; await unit.commit()`."""
