"""What approval mode changes directly: the posts an article has waiting for an admin.

Releasing them goes through publishing (`UnitOfWork`); dropping them, giving
them another headline and looking at them goes through `HeldPosts`. Each
write is one transaction of its own.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.model import Destination


class HeldPosts(Protocol):
    """An article's new-article posts held for approval."""

    async def count(self, article_id: int) -> int:
        """How many of the article's posts wait for approval."""
        ...

    async def drop(self, article_id: int, reason: str) -> int:
        """Never send the held posts (kept, marked skipped with `reason`); how many, committed."""
        ...

    async def set_headline(self, article_id: int, headline: str) -> int:
        """Make the held posts carry another headline; how many, committed."""
        ...

    async def destinations(self, article_id: int) -> list[Destination]:
        """Where any post of the article is queued or was sent, in queueing order."""
        ...
