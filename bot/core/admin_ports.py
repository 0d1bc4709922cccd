"""What the admin commands read and write in the store.

`bot.services.admin_service.AdminService` decides what each command means
(which day "today" is, what a reference names, what a wrong input says);
this port holds the rows. Each method is one transaction, as each command's
step was before it had a port; the writes commit before they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Article, AuditEntry, Source
from bot.core.revision_guard import HeldChange


@dataclass(frozen=True, slots=True)
class HeldBatch:
    """The held changes of one source, with why they were held."""

    source_id: int
    source_url: str
    reason: str
    changes: tuple[HeldChange, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Overview:
    """The store's side of /stats, read together."""

    active: int
    blocked: int
    posts: list[tuple[str, int]]  # sent since the given time, per destination label
    failed: int  # failed since the given time
    states: Mapping[str, int]  # outbox rows per state
    sources: list[Source]


class AdminStore(Protocol):
    """The rows the admin commands act on."""

    async def overview(self, since: datetime) -> Overview:
        """Subscribers, posts and failures since `since`, the outbox by state, the sources."""
        ...

    async def sent_times(self, since: datetime) -> list[tuple[str, datetime, datetime]]:
        """(destination label, queued at, sent at) of each post sent since `since`."""
        ...

    async def held_revisions(self) -> list[HeldBatch]:
        """Every source's held headline changes, oldest batch first."""
        ...

    async def take_held(self, source_id: int) -> HeldBatch | None:
        """Remove and return a source's held changes (None when there are none)."""
        ...

    async def revise(self, changes: Sequence[HeldChange]) -> None:
        """Give each changed article its new title and summary, all in one commit."""
        ...

    async def sources(self) -> list[Source]:
        """Every source, oldest first."""
        ...

    async def add_source(self, url: str, now: datetime) -> Source:
        """The source for `url`, added when new."""
        ...

    async def remove_source(self, url: str) -> None:
        """Delete a source; its articles stay."""
        ...

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries."""
        ...

    async def audit(self, entry: AuditEntry) -> None:
        """Write one audit entry."""
        ...

    async def article(self, article_id: int) -> Article | None:
        """The article with this id."""
        ...

    async def article_by_url(self, canonical: str) -> Article | None:
        """The article stored under this canonical URL."""
        ...

    async def set_skipped(self, article_id: int, skipped: bool) -> None:
        """Whether the article must never be posted."""
        ...

    async def recipient_count(self) -> int:
        """How many active subscribers' private chats a broadcast would reach."""
        ...
