"""Subscriber use cases: subscribe, follow tags, digests, language, and forgetting.

Each function is one unit of work and commits once. Following a tag or
choosing a digest subscribes the user on the way, so a reader who never sent
/start is not told to do so first.

A reader may follow a tag before its first story (a tournament before it
starts): the tag is kept under the name they wrote, and the first article
carrying it reaches them. Matching and suggestions look only at tags some
article carries, so one reader's words never show up in another's replies;
a reader follows at most `MAX_UNSEEN` such tags, and one nobody follows any
more is deleted, so the tags table cannot be filled from the chat.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.model import Article
from bot.core.ports import Clock
from bot.core.reader_ports import ReaderUnits, Subscriber, Tag
from bot.core.tag_match import clean_tag, match_tag, stored_key

DIGESTS = ("off", "daily", "weekly")
MAX_UNSEEN = 20  # tags no story carries yet that one reader may follow
LANGUAGES = ("ar", "en")


class Outcome(enum.StrEnum):
    """What a follow or unfollow did."""

    DONE = "done"
    ALREADY = "already"
    UNKNOWN = "unknown"
    TOO_MANY = "too_many"  # already following MAX_UNSEEN tags no story carries


@dataclass(frozen=True, slots=True)
class FollowResult:
    """The outcome, the tag concerned, the closest known tags, and whether any story has it."""

    outcome: Outcome
    tag: Tag | None = None
    suggestions: tuple[Tag, ...] = field(default_factory=tuple)
    unseen: bool = False


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is talking: enough to subscribe them on the way."""

    user_id: int
    chat_id: int
    language: str


class Subscribers:
    """The subscriber side of the bot."""

    def __init__(self, units: ReaderUnits, clock: Clock) -> None:
        self.units = units
        self.clock = clock

    async def get(self, user_id: int) -> Subscriber | None:
        """The subscriber, if this user is one."""
        async with self.units() as unit:
            return await unit.readers.subscriber(user_id)

    async def subscribe(self, reader: Reader) -> tuple[Subscriber, bool]:
        """Subscribe or reactivate; True when new."""
        async with self.units() as unit:
            result = await unit.readers.add_or_reactivate(
                reader.user_id, reader.chat_id, reader.language, self.clock.now()
            )
            await unit.commit()
        return result

    async def set_language(self, reader: Reader, language: str) -> None:
        """Reply in `language` from now on."""
        await self.subscribe(reader)
        async with self.units() as unit:
            await unit.readers.set_language(reader.user_id, language)
            await unit.commit()

    async def set_digest(self, reader: Reader, digest: str, hour: int | None) -> Subscriber:
        """Choose the digest (off, daily, weekly) and optionally its hour."""
        await self.subscribe(reader)
        async with self.units() as unit:
            store = unit.readers
            await store.set_digest(reader.user_id, digest, hour)
            await unit.commit()
            found = await store.subscriber(reader.user_id)
        assert found is not None
        return found

    async def follow(self, reader: Reader, query: str) -> FollowResult:
        """Follow the tag the reader meant, forgiving spelling variants, even one no story has.

        A tag no article carries yet is kept under the reader's words (see
        `clean_tag`); the close known tags come back as suggestions all the same.
        """
        async with self.units() as unit:
            match = match_tag(query, await unit.readers.carried_tags())
        if match.found is not None:
            return await self.follow_id(reader, match.found.id)
        name = clean_tag(query)
        key = stored_key(name)
        if not key:
            return FollowResult(Outcome.UNKNOWN, suggestions=match.suggestions)
        subscriber, _ = await self.subscribe(reader)
        async with self.units() as unit:
            store = unit.readers
            if len(await store.unseen_followed(subscriber.id)) >= MAX_UNSEEN:
                return FollowResult(Outcome.TOO_MANY, suggestions=match.suggestions)
            tag = await store.add_tag(name, key)
            added = await store.follow(subscriber.id, tag.id)
            unseen = await store.stories(tag.id) == 0
            await unit.commit()
        outcome = Outcome.DONE if added else Outcome.ALREADY
        return FollowResult(outcome, tag, match.suggestions, unseen=unseen)

    async def follow_id(self, reader: Reader, tag_id: int) -> FollowResult:
        """Follow a tag by id (buttons and deep links)."""
        subscriber, _ = await self.subscribe(reader)
        async with self.units() as unit:
            store = unit.readers
            tag = await store.tag(tag_id)
            if tag is None:
                return FollowResult(Outcome.UNKNOWN)
            added = await store.follow(subscriber.id, tag.id)
            await unit.commit()
        return FollowResult(Outcome.DONE if added else Outcome.ALREADY, tag)

    async def unfollow(self, user_id: int, query: str) -> FollowResult:
        """Stop following the tag meant; suggestions come from the followed tags."""
        async with self.units() as unit:
            store = unit.readers
            subscriber = await store.subscriber(user_id)
            followed = await store.following(subscriber.id) if subscriber else []
            match = match_tag(query, followed)
            if subscriber is None or match.found is None:
                return FollowResult(Outcome.UNKNOWN, suggestions=match.suggestions)
            removed = await store.unfollow(subscriber.id, match.found.id)
            await store.drop_unused([match.found.id])
            await unit.commit()
        return FollowResult(Outcome.DONE if removed else Outcome.ALREADY, match.found)

    async def unfollow_id(self, user_id: int, tag_id: int) -> FollowResult:
        """Stop following a tag by id (buttons); UNKNOWN when the tag is gone."""
        async with self.units() as unit:
            store = unit.readers
            tag = await store.tag(tag_id)
            subscriber = await store.subscriber(user_id)
            if tag is None or subscriber is None:
                return FollowResult(Outcome.UNKNOWN)
            removed = await store.unfollow(subscriber.id, tag.id)
            await store.drop_unused([tag.id])
            await unit.commit()
        return FollowResult(Outcome.DONE if removed else Outcome.ALREADY, tag)

    async def following(self, user_id: int) -> list[Tag]:
        """The tags this user follows."""
        async with self.units() as unit:
            store = unit.readers
            subscriber = await store.subscriber(user_id)
            return await store.following(subscriber.id) if subscriber else []

    async def stop(self, user_id: int) -> bool:
        """Unsubscribe and delete everything kept about the user; False if nothing was."""
        async with self.units() as unit:
            store = unit.readers
            subscriber = await store.subscriber(user_id)
            unseen = await store.unseen_followed(subscriber.id) if subscriber else []
            forgotten = await store.forget(user_id)
            await store.drop_unused(unseen)  # the tags only this reader had written
            await unit.commit()
        return forgotten

    async def blocked(self, chat_id: int, reason: str) -> None:
        """The user blocked the bot: stop writing to them."""
        async with self.units() as unit:
            await unit.readers.mark_blocked(chat_id, reason)
            await unit.commit()

    async def counts(self) -> tuple[int, int]:
        """(active, blocked) subscribers."""
        async with self.units() as unit:
            return await unit.readers.counts()

    async def popular_tags(self, limit: int) -> list[tuple[Tag, int]]:
        """The most used tags with their article counts."""
        async with self.units() as unit:
            return await unit.readers.popular_tags(limit)

    async def latest(self, count: int) -> list[Article]:
        """The newest articles."""
        async with self.units() as unit:
            return await unit.readers.latest(count)

    async def top(self, period: str, count: int) -> list[Article]:
        """Most read articles of today (last 24 hours) or this week (last 7 days)."""
        since = self.clock.now() - (timedelta(days=7) if period == "week" else timedelta(days=1))
        async with self.units() as unit:
            return await unit.readers.most_read(since, count)
