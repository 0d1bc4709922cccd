"""What digests read: the most read articles of a period, and who gets a digest.

`bot.services.digests.Digests` decides when a digest is due, under which key
and in which parts; this port answers what goes in it and to whom. Each call
is one read of the store, as the service made it before it had a port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Destination, DestinationKind


@dataclass(frozen=True, slots=True)
class ChannelDigest:
    """The channels' digest of a period: its articles, most read first, and where it goes."""

    article_ids: list[int]
    destinations: list[Destination]


@dataclass(frozen=True, slots=True)
class PersonalDigest:
    """One subscriber's digest: their chat (None when it is gone), articles and language."""

    destination: Destination | None
    article_ids: list[int]
    language: str


class DigestReads(Protocol):
    """The reads behind the channels' digest and the subscribers' own."""

    async def channel_digest(
        self, *, since: datetime, size: int, kinds: Sequence[DestinationKind]
    ) -> ChannelDigest:
        """Up to `size` most read articles since `since`, and the active destinations of `kinds`."""
        ...

    async def personal_digests(
        self, digest: str, hour: int, *, since: datetime, size: int
    ) -> list[PersonalDigest]:
        """Each active subscriber due a `digest` ("daily", "weekly") at this local hour.

        With up to `size` most read articles since `since` among the tags that
        subscriber follows.
        """
        ...
