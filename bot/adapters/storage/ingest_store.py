"""Ingest's storage on SQLAlchemy: `bot.core.ingest_ports.IngestStore` over the repositories.

`stories()` is one session and one transaction over articles and their read
samples; `announcing()` is the publishing unit of work (`SqlUnitOfWork`,
crash point `ingest:committed`) with the same story operations, so an
article, its tags, its first read sample and its outbox rows commit together.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository
from bot.adapters.storage.held_revisions import keep_held
from bot.adapters.storage.scheduling import SampleRepository
from bot.adapters.storage.sources import SourceRepository
from bot.adapters.storage.unit_of_work import SqlUnitOfWork
from bot.core.ingest_ports import IngestUnit, KnownStories, NewStory, Reading, StoryUnit
from bot.core.model import Article, SocialLinks, Source
from bot.core.revision_guard import HeldChange

SITE_SOCIAL_FLAG = "site_social"


class _Stories:
    """The story operations of `StoryUnit` over `self.session` (never commits)."""

    session: AsyncSession

    async def last_reading(self, article_id: int) -> Reading | None:
        """The latest kept sample of the article."""
        return await SampleRepository(self.session).last(article_id)

    async def add_reading(self, article_id: int, reads: int, now: datetime) -> None:
        """Keep one more sample."""
        await SampleRepository(self.session).add(article_id, reads, now)

    async def find_duplicate(
        self, *, canonical_url: str, guid: str | None, title_key: str, since: datetime | None
    ) -> int | None:
        """Id of a stored article that is the same story."""
        return await ArticleRepository(self.session).find_duplicate(
            canonical_url=canonical_url, guid=guid, title_key=title_key, since=since
        )

    async def known(
        self,
        *,
        canonical_urls: Sequence[str],
        guids: Sequence[str],
        title_keys: Sequence[str],
        since: datetime,
    ) -> KnownStories:
        """The stored ids among many keys, in a few queries."""
        return await ArticleRepository(self.session).known(
            canonical_urls=canonical_urls, guids=guids, title_keys=title_keys, since=since
        )

    async def article(self, article_id: int) -> Article | None:
        """A stored article."""
        return await ArticleRepository(self.session).get(article_id)

    async def revise_text(
        self, article_id: int, *, title: str, title_key: str, summary: str | None
    ) -> None:
        """Keep the site's new headline or summary."""
        await ArticleRepository(self.session).revise_text(
            article_id, title=title, title_key=title_key, summary=summary
        )

    async def add(self, story: NewStory, now: datetime) -> Article:
        """Store a new article with its tags."""
        return await ArticleRepository(self.session).add(
            story.draft,
            canonical_url=story.canonical_url,
            title_key=story.title_key,
            tag_keys=story.tag_keys,
            now=now,
            source_id=story.source_id,
            breaking=story.breaking,
        )

    async def add_many(self, stories: Sequence[NewStory], now: datetime) -> list[Article]:
        """Store many new articles in a few statements."""
        return await ArticleRepository(self.session).add_many(stories, now=now)


class SqlStoryUnit(_Stories):
    """`bot.core.ingest_ports.StoryUnit` over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def commit(self) -> None:
        """Commit the session."""
        await self.session.commit()


class SqlIngestUnit(_Stories, SqlUnitOfWork):
    """`bot.core.ingest_ports.IngestUnit`: the publishing unit of work with the story operations."""


class SqlIngestStore:
    """`bot.core.ingest_ports.IngestStore` on a database: each operation its own session."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def stories(self) -> AsyncIterator[StoryUnit]:
        """One session over the stored stories."""
        async with self.db.session() as session:
            yield SqlStoryUnit(session)

    @asynccontextmanager
    async def announcing(self) -> AsyncIterator[IngestUnit]:
        """One session holding the new article and its outbox rows."""
        async with self.db.session() as session:
            yield SqlIngestUnit(session, name="ingest")

    async def stored_texts(
        self, canonical_urls: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        """The stored headline and summary of each of these URLs that is held."""
        async with self.db.session() as session:
            return await ArticleRepository(session).texts_by_canonical_url(list(canonical_urls))

    async def site_social(self) -> SocialLinks:
        """The social channels the site advertises, as last seen on its pages."""
        return await read_site_social(self.db)

    async def remember_site_social(self, social: SocialLinks, now: datetime) -> None:
        """Keep the links as a flag, one transaction."""
        async with self.db.session() as session:
            await FlagRepository(session).set(
                SITE_SOCIAL_FLAG, json.dumps(dataclasses.asdict(social)), now
            )
            await session.commit()

    async def keep_held(
        self, source: Source, reason: str, changes: list[HeldChange], now: datetime
    ) -> None:
        """Keep a poll's held changes for review (`bot.adapters.storage.held_revisions`)."""
        await keep_held(self.db, source, reason, changes, now)

    async def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """Keep the validators and reset the failures, one transaction."""
        async with self.db.session() as session:
            await SourceRepository(session).record_success(
                source_id,
                now=now,
                next_poll_at=next_poll_at,
                etag=etag,
                last_modified=last_modified,
            )
            await session.commit()

    async def record_partial(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """Count the partly failed poll, one transaction."""
        async with self.db.session() as session:
            failures = await SourceRepository(session).record_partial(
                source_id, now=now, next_poll_at=next_poll_at, error=error
            )
            await session.commit()
        return failures

    async def record_failure(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """Count the failed poll, one transaction."""
        async with self.db.session() as session:
            failures = await SourceRepository(session).record_failure(
                source_id, now=now, next_poll_at=next_poll_at, error=error
            )
            await session.commit()
        return failures


async def read_site_social(db: Database) -> SocialLinks:
    """The social channels the site advertises, as last seen on its pages."""
    async with db.session() as session:
        raw = await FlagRepository(session).get(SITE_SOCIAL_FLAG)
    if not raw:
        return SocialLinks()
    return SocialLinks(**json.loads(raw))
