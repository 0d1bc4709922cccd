"""The ports of ingest: where stories, their readings and the sources' poll state are kept.

`IngestStore` is what the `Ingestor` needs from storage. A story is stored
inside a unit of work: `stories()` opens one for reading and revising known
stories, `announcing()` one that also holds the outbox (`bot.core.ports.UnitOfWork`),
so a new article and every post it causes commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.model import Article, ArticleDraft, SocialLinks, Source
from bot.core.ports import UnitOfWork
from bot.core.revision_guard import HeldChange

Reading = tuple[datetime, int]
"""One sample of an article's read counter: when, and how many reads."""


@dataclass(frozen=True, slots=True)
class NewStory:
    """An article about to be stored, with the keys ingest computed for it."""

    draft: ArticleDraft
    canonical_url: str
    title_key: str
    tag_keys: tuple[tuple[str, str], ...]  # (tag, folded key), spelling variants kept once
    source_id: int | None
    breaking: bool


@dataclass(slots=True)
class KnownStories:
    """Stored article ids by canonical URL, guid and title key (recent, and any time)."""

    by_url: dict[str, int] = field(default_factory=dict)
    by_guid: dict[str, int] = field(default_factory=dict)
    recent_title: dict[str, int] = field(default_factory=dict)
    any_title: dict[str, int] = field(default_factory=dict)


class ReadingLog(Protocol):
    """The samples of articles' read counters, inside one transaction."""

    async def last_reading(self, article_id: int) -> Reading | None:
        """The latest kept sample of the article, if any."""
        ...

    async def add_reading(self, article_id: int, reads: int, now: datetime) -> None:
        """Keep one more sample."""
        ...


class StoryUnit(ReadingLog, Protocol):
    """One transaction over the stored stories: nothing is durable before `commit`."""

    async def find_duplicate(
        self, *, canonical_url: str, guid: str | None, title_key: str, since: datetime | None
    ) -> int | None:
        """Id of a stored article that is the same story, by URL, guid or title seen since."""
        ...

    async def known(
        self,
        *,
        canonical_urls: Sequence[str],
        guids: Sequence[str],
        title_keys: Sequence[str],
        since: datetime,
    ) -> KnownStories:
        """`find_duplicate` for a batch: the stored ids among many keys."""
        ...

    async def article(self, article_id: int) -> Article | None:
        """A stored article."""
        ...

    async def revise_text(
        self, article_id: int, *, title: str, title_key: str, summary: str | None
    ) -> None:
        """The site changed the headline or summary: keep the new text."""
        ...

    async def add(self, story: NewStory, now: datetime) -> Article:
        """Store a new article with its tags (and its first reading, when it has one)."""
        ...

    async def add_many(self, stories: Sequence[NewStory], now: datetime) -> list[Article]:
        """Store many new articles at once; those whose key is already held are left out."""
        ...

    async def commit(self) -> None:
        """Make what was written durable."""
        ...


class IngestUnit(StoryUnit, UnitOfWork, Protocol):
    """The transaction that stores a new article and the posts it causes, together."""


class IngestStore(Protocol):
    """What ingest reads and writes: stories, the site's social links, the sources' state."""

    def stories(self) -> AbstractAsyncContextManager[StoryUnit]:
        """Open a transaction over the stored stories."""
        ...

    def announcing(self) -> AbstractAsyncContextManager[IngestUnit]:
        """Open the transaction that stores a new article with its outbox rows."""
        ...

    async def stored_texts(
        self, canonical_urls: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        """The stored headline and summary of each of these URLs that is held."""
        ...

    async def site_social(self) -> SocialLinks:
        """The social channels the site advertises, as last seen on its pages."""
        ...

    async def remember_site_social(self, social: SocialLinks, now: datetime) -> None:
        """Keep the site's social channels (one transaction)."""
        ...

    async def keep_held(
        self, source: Source, reason: str, changes: list[HeldChange], now: datetime
    ) -> None:
        """Keep a poll's held headline changes of `source` for review, replacing older ones."""
        ...

    async def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """The source was read whole: keep its validators, reset its failures."""
        ...

    async def record_partial(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """The source was read but items were skipped; the new failure count."""
        ...

    async def record_failure(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """The source could not be read; the new failure count."""
        ...
