"""Queries behind /search, inline mode, /top and /tags: read-only views of articles.

Search terms reach the database only as bound parameters, and only after
`bot.services.search.query_terms` has reduced them to runs of letters and digits, so
neither SQL nor the FTS5 / tsquery syntax ever sees raw input.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.rows import insert_ignoring_conflicts
from bot.adapters.storage.tables import ArticleRow, ArticleTagRow, SearchIndexRow, TagRow
from bot.core.model import Article

_SQLITE_FIND = """
SELECT a.id FROM search_fts JOIN articles a ON a.id = search_fts.rowid
WHERE search_fts MATCH :query AND a.skipped = false
ORDER BY coalesce(a.published_at, a.first_seen_at) DESC, a.id DESC
LIMIT :limit OFFSET :offset
"""
_SQLITE_COUNT = """
SELECT count(*) FROM search_fts JOIN articles a ON a.id = search_fts.rowid
WHERE search_fts MATCH :query AND a.skipped = false
"""
_POSTGRES_FIND = """
SELECT a.id FROM search_index s JOIN articles a ON a.id = s.article_id
WHERE to_tsvector('simple', s.document) @@ to_tsquery('simple', :query) AND a.skipped = false
ORDER BY coalesce(a.published_at, a.first_seen_at) DESC, a.id DESC
LIMIT :limit OFFSET :offset
"""
_POSTGRES_COUNT = """
SELECT count(*) FROM search_index s JOIN articles a ON a.id = s.article_id
WHERE to_tsvector('simple', s.document) @@ to_tsquery('simple', :query) AND a.skipped = false
"""


class SearchRepository:
    """The folded search index and the queries over it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        bind = self.session.bind
        return bind is not None and bind.dialect.name == "postgresql"

    async def unindexed(self, limit: int) -> list[tuple[int, str, str | None]]:
        """(id, title, summary) of articles the index does not hold yet."""
        rows = await self.session.execute(
            select(ArticleRow.id, ArticleRow.title, ArticleRow.summary)
            .outerjoin(SearchIndexRow, SearchIndexRow.article_id == ArticleRow.id)
            .where(SearchIndexRow.article_id.is_(None))
            .order_by(ArticleRow.id)
            .limit(limit)
        )
        return [(int(r[0]), str(r[1]), r[2]) for r in rows]

    async def index(self, article_id: int, document: str) -> None:
        """Add one article's folded document (a second add of the same article is ignored)."""
        await self.session.execute(
            insert_ignoring_conflicts(
                self.session, SearchIndexRow, {"article_id": article_id, "document": document}
            )
        )

    async def find(self, terms: Sequence[str], *, limit: int, offset: int) -> tuple[list[int], int]:
        """Ids of unskipped articles holding every term as a word prefix, newest first."""
        if self._postgres:
            query = " & ".join(f"{term}:*" for term in terms)
            find, count = _POSTGRES_FIND, _POSTGRES_COUNT
        else:
            query = " ".join(f'"{term}"*' for term in terms)
            find, count = _SQLITE_FIND, _SQLITE_COUNT
        total = await self.session.scalar(text(count), {"query": query})
        rows = await self.session.execute(
            text(find), {"query": query, "limit": limit, "offset": offset}
        )
        return [int(row[0]) for row in rows], int(total or 0)


class ReadingRepository:
    """Most-read articles and popular tags."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def articles(self, ids: Sequence[int]) -> list[Article]:
        """Articles by id, in the order given (missing ones left out)."""
        repository = ArticleRepository(self.session)
        found = [await repository.get(article_id) for article_id in ids]
        return [article for article in found if article is not None]

    async def most_read(self, since: datetime, limit: int) -> list[Article]:
        """Articles first seen since `since` with the highest read counters."""
        when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
        rows = await self.session.execute(
            select(ArticleRow.id)
            .where(
                ArticleRow.skipped.is_(False),
                ArticleRow.reads.is_not(None),
                when >= since,
            )
            .order_by(ArticleRow.reads.desc(), ArticleRow.id.desc())
            .limit(limit)
        )
        return await self.articles([int(r[0]) for r in rows])

    async def popular_tags(self, limit: int) -> list[tuple[int, str, int]]:
        """(tag id, name, article count) of the most used tags."""
        count = func.count(ArticleTagRow.article_id)
        rows = await self.session.execute(
            select(TagRow.id, TagRow.name, count)
            .join(ArticleTagRow, ArticleTagRow.tag_id == TagRow.id)
            .group_by(TagRow.id, TagRow.name)
            .order_by(count.desc(), TagRow.id)
            .limit(limit)
        )
        return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]
