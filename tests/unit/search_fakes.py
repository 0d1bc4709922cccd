"""An in-memory fake of search's index: stored articles, their documents, prefix matching.

Matching follows the databases' full-text queries: every term must start a
word of the document; unskipped articles only, newest first. Nothing here
touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.model import Article
from bot.core.search_ports import Document

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class FakeSearchIndex:
    """`SearchIndex` over dicts; records the size of every indexing batch."""

    articles: dict[int, Article] = field(default_factory=dict)
    skipped: set[int] = field(default_factory=set)
    documents: dict[int, str] = field(default_factory=dict)
    batches: list[int] = field(default_factory=list)

    def add(self, article: Article) -> None:
        """Store an article (not indexed yet)."""
        self.articles[article.id] = article

    async def index_batch(self, limit: int, document: Document) -> int:
        batch = sorted(i for i in self.articles if i not in self.documents)[:limit]
        for article_id in batch:
            article = self.articles[article_id]
            self.documents[article_id] = document(article.title, article.summary)
        self.batches.append(len(batch))
        return len(batch)

    async def find(
        self, terms: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[Article], int]:
        found = [
            self.articles[i]
            for i, text in self.documents.items()
            if i not in self.skipped
            and all(any(word.startswith(term) for word in text.split()) for term in terms)
        ]
        found.sort(key=lambda a: (a.published_at or a.first_seen_at or _EPOCH, a.id), reverse=True)
        return found[offset : offset + limit], len(found)
