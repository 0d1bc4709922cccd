"""`bot.core.render_ports.RenderReads` on the SQL repositories.

Each call is one session. `follow_batch` commits the grouping before it
reads, as the renderer always did: the grouped rows are marked done whether
or not the message then goes out, and its lead's payload keeps the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.search import ReadingRepository
from bot.adapters.storage.subscribers import FollowQueueRepository, SubscriberRepository
from bot.core.model import Article
from bot.core.render_ports import FollowBatch


class SqlRenderReads:
    """`RenderReads` over a database: one session per call."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def article(self, article_id: int) -> Article | None:
        """The stored article, or None when it is gone."""
        async with self.db.session() as session:
            return await ArticleRepository(session).get(article_id)

    async def articles(self, article_ids: Sequence[int]) -> list[Article]:
        """The stored articles of these ids, in the order asked, in one session."""
        async with self.db.session() as session:
            repository = ArticleRepository(session)
            found = [await repository.get(article_id) for article_id in article_ids]
        return [article for article in found if article is not None]

    async def follow_batch(
        self,
        leads: Sequence[tuple[int, int]],
        chats: Sequence[int],
        *,
        max_group: int,
        due_by: datetime,
    ) -> FollowBatch:
        """One session: the grouping pass and its commit, then one read of each kind."""
        async with self.db.session() as session:
            groups = await FollowQueueRepository(session).absorb(leads, max_group, due_by=due_by)
            await session.commit()
            languages = await SubscriberRepository(session).languages(list(chats))
            wanted = list(dict.fromkeys(i for group in groups.values() for i in group))
            articles = {a.id: a for a in await ReadingRepository(session).articles(wanted)}
        return FollowBatch(groups=groups, languages=languages, articles=articles)
