"""What search needs of the store: an index of folded documents and a query over it.

`bot.services.search.Search` decides how a title and summary are reduced
(`document`) and which words of a query count (`query_terms`); the index only
stores those documents and finds the articles holding every term.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bot.core.model import Article

Document = Callable[[str, str | None], str]
"""How an article's title and summary become the indexed text."""


class SearchIndex(Protocol):
    """The folded search index."""

    async def index_batch(self, limit: int, document: Document) -> int:
        """Index up to `limit` articles the index lacks, in one commit; how many."""
        ...

    async def find(
        self, terms: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[Article], int]:
        """A page of unskipped articles holding every term as a word prefix, newest first.

        Returns the page and how many articles match in all.
        """
        ...
