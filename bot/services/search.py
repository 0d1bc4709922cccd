"""Search over titles and summaries that sees through Arabic spelling variants.

A document and a query are reduced the same way: folded (`bot.core.text.arabic.fold`:
hamza forms, ة/ه, ى/ي, diacritics, tatweel, digits, case), split into runs of
letters and digits, each stripped of a leading definite article. The index
holds that reduced text, so "أسد", "اسد" and "الأسد" all meet. Terms match as
word prefixes, so "اليمن" also finds "اليمنية".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.model import Article
from bot.core.search_ports import SearchIndex
from bot.core.text.arabic import fold, fold_word_with_article

MAX_TERMS: Final = 8
MAX_QUERY_CHARS: Final = 200
INDEX_BATCH: Final = 500
_WORD: Final = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The reduced words of `text`, in order."""
    return [fold_word_with_article(word) for word in _WORD.findall(fold(text))]


def document(title: str, summary: str | None) -> str:
    """What the index stores for one article."""
    return " ".join(words(f"{title} {summary or ''}"))


def query_terms(query: str) -> list[str]:
    """The distinct reduced words of a query, at most `MAX_TERMS`; one-letter words dropped."""
    terms: list[str] = []
    for word in words(query[:MAX_QUERY_CHARS]):
        if len(word) >= 2 and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results and how many there are in all."""

    articles: list[Article]
    total: int
    offset: int


class Search:
    """Indexes new articles lazily and answers queries."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    async def refresh(self) -> int:
        """Index every article not indexed yet; returns how many were added.

        Runs before each query, so articles stored by any instance become
        searchable without ingest knowing about search.
        """
        added = 0
        while True:
            indexed = await self.index.index_batch(INDEX_BATCH, document)
            added += indexed
            if indexed < INDEX_BATCH:
                return added

    async def search(self, query: str, *, limit: int, offset: int = 0) -> SearchPage:
        """Articles matching every word of `query`, newest first."""
        terms = query_terms(query)
        if not terms:
            return SearchPage([], 0, offset)
        await self.refresh()
        articles, total = await self.index.find(terms, limit=limit, offset=offset)
        return SearchPage(articles, total, offset)
