"""`bot.core.search_ports.SearchIndex` on the SQL repositories, one session per call."""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.storage.database import Database
from bot.adapters.storage.search import ReadingRepository, SearchRepository
from bot.core.model import Article
from bot.core.search_ports import Document


class SqlSearchIndex:
    """`SearchIndex` over a database (FTS5 on SQLite, tsvector on PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def index_batch(self, limit: int, document: Document) -> int:
        """Read a batch of unindexed articles and index them, in one commit."""
        async with self.db.session() as session:
            repository = SearchRepository(session)
            batch = await repository.unindexed(limit)
            for article_id, title, summary in batch:
                await repository.index(article_id, document(title, summary))
            await session.commit()
        return len(batch)

    async def find(
        self, terms: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[Article], int]:
        """The matching ids and their count, then the articles, in one session."""
        async with self.db.session() as session:
            ids, total = await SearchRepository(session).find(terms, limit=limit, offset=offset)
            articles = await ReadingRepository(session).articles(ids)
        return articles, total
