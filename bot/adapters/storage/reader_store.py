"""`bot.core.reader_ports.ReaderStore` and its unit of work on the SQL repositories.

One unit is one session and one transaction, as each subscriber use case
was before it had a port: `sql_reader_units(db)` opens them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.search import ReadingRepository
from bot.adapters.storage.subscribers import SubscriberRepository, TagRepository
from bot.core.model import Article
from bot.core.reader_ports import ReaderUnit, ReaderUnits, Subscriber, Tag


class SqlReaderStore:
    """`ReaderStore` over one session (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self._subscribers = SubscriberRepository(session)
        self._tags = TagRepository(session)
        self._articles = ArticleRepository(session)
        self._reading = ReadingRepository(session)

    async def subscriber(self, user_id: int) -> Subscriber | None:
        """The subscriber with this Telegram user id."""
        return await self._subscribers.get(user_id)

    async def add_or_reactivate(
        self, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Subscribe (or welcome back) a user; True when new."""
        return await self._subscribers.add_or_reactivate(user_id, chat_id, language, now)

    async def set_language(self, user_id: int, language: str) -> None:
        """Reply in this language from now on."""
        await self._subscribers.set_language(user_id, language)

    async def set_digest(self, user_id: int, digest: str, hour: int | None) -> None:
        """How often the subscriber wants a digest, and at what hour."""
        await self._subscribers.set_digest(user_id, digest, hour)

    async def mark_blocked(self, chat_id: int, reason: str) -> None:
        """The user blocked the bot."""
        await self._subscribers.mark_blocked(chat_id, reason)

    async def forget(self, user_id: int) -> bool:
        """Delete everything kept about the user."""
        return await self._subscribers.forget(user_id)

    async def counts(self) -> tuple[int, int]:
        """(active, blocked) subscribers."""
        return await self._subscribers.counts()

    async def tag(self, tag_id: int) -> Tag | None:
        """The tag with this id."""
        return await self._tags.get(tag_id)

    async def carried_tags(self) -> list[Tag]:
        """The tags at least one article carries."""
        return await self._tags.carried()

    async def stories(self, tag_id: int) -> int:
        """How many articles carry the tag."""
        return await self._tags.stories(tag_id)

    async def add_tag(self, name: str, key: str) -> Tag:
        """The tag with this key, created under `name` when there is none."""
        return await self._tags.add(name, key)

    async def following(self, subscriber_id: int) -> list[Tag]:
        """The tags a subscriber follows, by name."""
        return await self._subscribers.following(subscriber_id)

    async def unseen_followed(self, subscriber_id: int) -> list[int]:
        """The followed tags no article carries yet."""
        return await self._tags.unseen_followed(subscriber_id)

    async def follow(self, subscriber_id: int, tag_id: int) -> bool:
        """Follow a tag; False when already followed."""
        return await self._subscribers.follow(subscriber_id, tag_id)

    async def unfollow(self, subscriber_id: int, tag_id: int) -> bool:
        """Stop following; False when it was not followed."""
        return await self._subscribers.unfollow(subscriber_id, tag_id)

    async def drop_unused(self, tag_ids: Sequence[int]) -> None:
        """Delete those of these tags nobody needs."""
        await self._tags.drop_unused(list(tag_ids))

    async def popular_tags(self, limit: int) -> list[tuple[Tag, int]]:
        """The most used tags with their article counts."""
        rows = await self._reading.popular_tags(limit)
        return [(Tag(tag_id, name), count) for tag_id, name, count in rows]

    async def latest(self, count: int) -> list[Article]:
        """The newest articles."""
        return await self._articles.latest(count)

    async def most_read(self, since: datetime, count: int) -> list[Article]:
        """The most read articles since `since`."""
        return await self._reading.most_read(since, count)


class SqlReaderUnit:
    """`ReaderUnit` over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._readers = SqlReaderStore(session)

    @property
    def readers(self) -> SqlReaderStore:
        """The store inside this transaction."""
        return self._readers

    async def commit(self) -> None:
        """Commit the session."""
        await self.session.commit()


def sql_reader_units(db: Database) -> ReaderUnits:
    """The `ReaderUnits` of a database: each unit is one session."""

    @asynccontextmanager
    async def unit() -> AsyncIterator[ReaderUnit]:
        async with db.session() as session:
            yield SqlReaderUnit(session)

    return unit
