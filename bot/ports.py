"""The seams between Nashir's core and the outside world, as small Protocols.

A new platform is one new class that satisfies `Publisher`; a new kind of
source is one that satisfies `PageReader`. The core imports only these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.model import Destination, Platform, Post


class Clock(Protocol):
    """The time, injectable so that tests control it instead of sleeping."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Publisher(Protocol):
    """Sends, edits and deletes posts on one platform.

    Implementations translate their library's errors into `bot.errors`
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
