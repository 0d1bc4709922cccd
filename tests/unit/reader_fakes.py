"""An in-memory fake of the subscriber side's port: readers, tags, follows and articles.

A unit works on a copy of the committed state and puts it back only on
commit, as a transaction does, so a test can tell written-and-committed from
written-and-dropped. Nothing here touches a database.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.model import Article
from bot.core.reader_ports import ReaderUnit, ReaderUnits, Subscriber, Tag


@dataclass
class Readers:
    """The committed state."""

    subscribers: dict[int, Subscriber] = field(default_factory=dict)  # by user id
    chats: dict[int, str] = field(default_factory=dict)  # chat id -> "active" or the block reason
    tags: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name, key)
    follows: set[tuple[int, int]] = field(default_factory=set)  # (subscriber id, tag id)
    articles: list[Article] = field(default_factory=list)  # with their tags by name
    commits: int = 0

    def carried(self) -> dict[int, int]:
        """How many articles carry each tag, by tag id."""
        names = {name: tag_id for tag_id, (name, _) in self.tags.items()}
        counts: dict[int, int] = {}
        for article in self.articles:
            for name in article.tags:
                if name in names:
                    counts[names[name]] = counts.get(names[name], 0) + 1
        return counts

    def add_tag(self, name: str, key: str | None = None) -> Tag:
        """A tag under `name` (its key the name itself unless given)."""
        tag_id = max(self.tags, default=0) + 1
        self.tags[tag_id] = (name, key or name)
        return Tag(tag_id, name)

    def units(self) -> ReaderUnits:
        """The `ReaderUnits` port over this state."""

        @asynccontextmanager
        async def unit() -> AsyncIterator[ReaderUnit]:
            yield FakeReaderUnit(self)

        return unit


class FakeReaderStore:
    """`ReaderStore` over a working copy of the state."""

    def __init__(self, state: Readers) -> None:
        self.state = state

    async def subscriber(self, user_id: int) -> Subscriber | None:
        return self.state.subscribers.get(user_id)

    async def add_or_reactivate(
        self, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Subscriber, bool]:
        found = self.state.subscribers.get(user_id)
        if found is None:
            new_id = max((s.id for s in self.state.subscribers.values()), default=0) + 1
            found = Subscriber(new_id, user_id, chat_id, language, "active", "off", 21)
        subscriber = dataclasses.replace(found, state="active", chat_id=chat_id)
        created = user_id not in self.state.subscribers
        self.state.subscribers[user_id] = subscriber
        self.state.chats[chat_id] = "active"
        return subscriber, created

    async def set_language(self, user_id: int, language: str) -> None:
        self._set(user_id, language=language)

    async def set_digest(self, user_id: int, digest: str, hour: int | None) -> None:
        if hour is None:
            self._set(user_id, digest=digest)
        else:
            self._set(user_id, digest=digest, digest_hour=hour)

    def _set(self, user_id: int, **values: object) -> None:
        found = self.state.subscribers.get(user_id)
        if found is not None:
            self.state.subscribers[user_id] = dataclasses.replace(found, **values)  # type: ignore[arg-type]

    async def mark_blocked(self, chat_id: int, reason: str) -> None:
        for user_id, found in list(self.state.subscribers.items()):
            if found.chat_id == chat_id:
                self.state.subscribers[user_id] = dataclasses.replace(found, state="blocked")
        if chat_id in self.state.chats:
            self.state.chats[chat_id] = reason

    async def forget(self, user_id: int) -> bool:
        found = self.state.subscribers.pop(user_id, None)
        if found is None:
            return False
        self.state.follows = {f for f in self.state.follows if f[0] != found.id}
        self.state.chats.pop(found.chat_id, None)
        return True

    async def counts(self) -> tuple[int, int]:
        blocked = sum(
            1
            for s in self.state.subscribers.values()
            if s.state == "blocked" or self.state.chats.get(s.chat_id, "active") != "active"
        )
        return len(self.state.subscribers) - blocked, blocked

    async def tag(self, tag_id: int) -> Tag | None:
        found = self.state.tags.get(tag_id)
        return None if found is None else Tag(tag_id, found[0])

    async def carried_tags(self) -> list[Tag]:
        carried = self.state.carried()
        return [Tag(i, name) for i, (name, _) in sorted(self.state.tags.items()) if i in carried]

    async def stories(self, tag_id: int) -> int:
        return self.state.carried().get(tag_id, 0)

    async def add_tag(self, name: str, key: str) -> Tag:
        for tag_id, (known, known_key) in self.state.tags.items():
            if known_key == key:
                return Tag(tag_id, known)
        return self.state.add_tag(name, key)

    async def following(self, subscriber_id: int) -> list[Tag]:
        tags = [Tag(t, self.state.tags[t][0]) for s, t in self.state.follows if s == subscriber_id]
        return sorted(tags, key=lambda tag: tag.name)

    async def unseen_followed(self, subscriber_id: int) -> list[int]:
        carried = self.state.carried()
        return sorted(t for s, t in self.state.follows if s == subscriber_id and t not in carried)

    async def follow(self, subscriber_id: int, tag_id: int) -> bool:
        if (subscriber_id, tag_id) in self.state.follows:
            return False
        self.state.follows.add((subscriber_id, tag_id))
        return True

    async def unfollow(self, subscriber_id: int, tag_id: int) -> bool:
        if (subscriber_id, tag_id) not in self.state.follows:
            return False
        self.state.follows.discard((subscriber_id, tag_id))
        return True

    async def drop_unused(self, tag_ids: Sequence[int]) -> None:
        carried = self.state.carried()
        followed = {t for _, t in self.state.follows}
        for tag_id in tag_ids:
            if tag_id not in carried and tag_id not in followed:
                self.state.tags.pop(tag_id, None)

    async def popular_tags(self, limit: int) -> list[tuple[Tag, int]]:
        counts = sorted(self.state.carried().items(), key=lambda item: (-item[1], item[0]))
        return [(Tag(i, self.state.tags[i][0]), n) for i, n in counts[:limit]]

    async def latest(self, count: int) -> list[Article]:
        return sorted(self.state.articles, key=lambda a: a.id, reverse=True)[:count]

    async def most_read(self, since: datetime, count: int) -> list[Article]:
        read = [
            a
            for a in self.state.articles
            if a.reads is not None and (a.published_at or a.first_seen_at or since) >= since
        ]
        return sorted(read, key=lambda a: (a.reads or 0, a.id), reverse=True)[:count]


class FakeReaderUnit:
    """`ReaderUnit`: works on a copy of the state, put back on commit."""

    def __init__(self, state: Readers) -> None:
        self.state = state
        self.working = copy.deepcopy(state)
        self._readers = FakeReaderStore(self.working)

    @property
    def readers(self) -> FakeReaderStore:
        return self._readers

    async def commit(self) -> None:
        for name in ("subscribers", "chats", "tags", "follows"):
            setattr(self.state, name, copy.deepcopy(getattr(self.working, name)))
        self.state.commits += 1
