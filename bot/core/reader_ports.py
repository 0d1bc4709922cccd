"""What the subscriber side reads and writes: readers, the tags they follow, what they read.

`bot.services.subscribers.Subscribers` keeps the rules (subscribe on the way,
at most so many tags no story carries, a tag nobody needs is deleted); this
port keeps the rows. A `ReaderUnit` is one transaction: what its store
writes commits together on `commit()`, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Article


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A person who talks to the bot in private."""

    id: int
    user_id: int
    chat_id: int
    language: str
    state: str
    digest: str
    digest_hour: int


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag as the site writes it."""

    id: int
    name: str


class ReaderStore(Protocol):
    """Readers, tags and articles inside one unit of work (never commits)."""

    async def subscriber(self, user_id: int) -> Subscriber | None:
        """The subscriber with this Telegram user id."""
        ...

    async def add_or_reactivate(
        self, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Subscribe (or welcome back) a user and open their private chat; True when new."""
        ...

    async def set_language(self, user_id: int, language: str) -> None:
        """Reply in this language from now on."""
        ...

    async def set_digest(self, user_id: int, digest: str, hour: int | None) -> None:
        """How often the subscriber wants a digest, and at what hour (None keeps it)."""
        ...

    async def mark_blocked(self, chat_id: int, reason: str) -> None:
        """The user blocked the bot: their subscription and private chat stop."""
        ...

    async def forget(self, user_id: int) -> bool:
        """Delete the subscriber, their follows, private chat and its posts; False if none."""
        ...

    async def counts(self) -> tuple[int, int]:
        """(active, blocked) subscribers; blocked counts those whose chat refuses the bot."""
        ...

    async def tag(self, tag_id: int) -> Tag | None:
        """The tag with this id."""
        ...

    async def carried_tags(self) -> list[Tag]:
        """The tags at least one article carries (those a reader may be shown)."""
        ...

    async def stories(self, tag_id: int) -> int:
        """How many articles carry the tag."""
        ...

    async def add_tag(self, name: str, key: str) -> Tag:
        """The tag with this key, created under `name` when there is none."""
        ...

    async def following(self, subscriber_id: int) -> list[Tag]:
        """The tags a subscriber follows, by name."""
        ...

    async def unseen_followed(self, subscriber_id: int) -> list[int]:
        """The ids of the tags a subscriber follows that no article carries yet."""
        ...

    async def follow(self, subscriber_id: int, tag_id: int) -> bool:
        """Follow a tag; False when already followed."""
        ...

    async def unfollow(self, subscriber_id: int, tag_id: int) -> bool:
        """Stop following; False when it was not followed."""
        ...

    async def drop_unused(self, tag_ids: Sequence[int]) -> None:
        """Delete those of these tags that no article carries and nobody follows."""
        ...

    async def popular_tags(self, limit: int) -> list[tuple[Tag, int]]:
        """The tags most articles carry, with their counts."""
        ...

    async def latest(self, count: int) -> list[Article]:
        """The newest articles."""
        ...

    async def most_read(self, since: datetime, count: int) -> list[Article]:
        """The most read articles published since `since`."""
        ...


class ReaderUnit(Protocol):
    """One transaction over the readers' store."""

    @property
    def readers(self) -> ReaderStore:
        """The store inside this transaction."""
        ...

    async def commit(self) -> None:
        """Make everything written through `readers` durable together."""
        ...


ReaderUnits = Callable[[], AbstractAsyncContextManager[ReaderUnit]]
"""Opens a unit: `async with units() as unit: ...; await unit.commit()`."""
