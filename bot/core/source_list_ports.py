"""The port of importing and exporting the list of sources (OPML)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ListedSource:
    """A stored source and the title it is listed under."""

    url: str
    title: str | None = None


class SourceListUnit(Protocol):
    """One transaction over the stored sources: nothing is durable before `commit`."""

    async def urls(self) -> list[str]:
        """The URL of every stored source."""
        ...

    async def ensure(self, url: str, now: datetime) -> None:
        """Store a source unless it is there (a stored one keeps its polling state)."""
        ...

    async def name(self, url: str, title: str) -> None:
        """List a stored source under `title`."""
        ...

    async def commit(self) -> None:
        """Make the changes durable together."""
        ...


class SourceList(Protocol):
    """The stored sources, as an OPML import writes and an export reads them."""

    def unit(self) -> AbstractAsyncContextManager[SourceListUnit]:
        """One transaction: `async with sources.unit() as unit: ...; await unit.commit()`."""
        ...

    async def entries(self) -> list[ListedSource]:
        """Every stored source with its title, oldest first."""
        ...
