"""`bot.core.digest_ports.DigestReads` on the SQL repositories, one session per call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.storage.database import Database
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.scheduling import SelectionRepository
from bot.core.digest_ports import ChannelDigest, PersonalDigest
from bot.core.model import DestinationKind


class SqlDigestReads:
    """`DigestReads` over a database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def channel_digest(
        self, *, since: datetime, size: int, kinds: Sequence[DestinationKind]
    ) -> ChannelDigest:
        """The most read articles and the active destinations, in one session."""
        async with self.db.session() as session:
            ids = await SelectionRepository(session).most_read(since, size)
            destinations = await DestinationRepository(session).active(kinds)
        return ChannelDigest(article_ids=ids, destinations=destinations)

    async def personal_digests(
        self, digest: str, hour: int, *, since: datetime, size: int
    ) -> list[PersonalDigest]:
        """Every due subscriber's chat and articles, in one session."""
        async with self.db.session() as session:
            selection = SelectionRepository(session)
            due = await selection.digest_subscribers(digest, hour)
            plans = []
            for subscriber_id, destination_id, language in due:
                tags = await selection.followed_tags(subscriber_id)
                ids = await selection.most_read(since, size, tag_ids=tags)
                destination = await DestinationRepository(session).get(destination_id)
                plans.append(PersonalDigest(destination, ids, language))
        return plans
