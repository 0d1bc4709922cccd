"""Sources as NASHIR_SOURCES lists them, and the ones an operator adds or removes by hand.

`sync_setting` runs at every start: each listed URL is registered (or
brought back from retirement), and a source that came from the setting but
is no longer in it is retired: disabled, never polled, kept with its
articles for history. Sources added another way (OPML, `nashir sources
add`, Telegram) are never retired by the setting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.database import Database
from bot.adapters.storage.rows import as_utc, insert_ignoring_conflicts, stored_selectors
from bot.adapters.storage.tables import SourceRow
from bot.core.model import Selectors

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One source as `nashir sources list` shows it."""

    url: str
    enabled: bool
    from_setting: bool
    retired_at: datetime | None
    failures: int
    last_success_at: datetime | None
    last_error: str | None
    selectors: Selectors = ()

    @property
    def state(self) -> str:
        """active, retired (left NASHIR_SOURCES) or disabled."""
        if self.retired_at is not None:
            return "retired"
        return "active" if self.enabled else "disabled"


class SettingSources:
    """The sources table seen from the setting and the `nashir sources` command."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sync_setting(self, urls: Sequence[str], now: datetime) -> list[str]:
        """Register `urls` as the setting's sources; return the URLs retired now."""
        listed = list(dict.fromkeys(urls))
        for url in listed:
            await self.add(url, now)
        if listed:
            await self.session.execute(
                update(SourceRow)
                .where(SourceRow.url.in_(listed))
                .values(from_setting=True, enabled=True, retired_at=None)
            )
        gone = select(SourceRow.url).where(
            SourceRow.from_setting.is_(True),
            SourceRow.retired_at.is_(None),
            SourceRow.url.not_in(listed),
        )
        retired = list((await self.session.execute(gone)).scalars())
        if retired:
            await self.session.execute(
                update(SourceRow)
                .where(SourceRow.url.in_(retired))
                .values(enabled=False, retired_at=now)
            )
        return sorted(retired)

    async def add(self, url: str, now: datetime) -> bool:
        """Register `url` (a retired one comes back); True when it was not there before."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                SourceRow,
                {"url": url, "created_at": now, "enabled": True, "failures": 0, "primed": False},
            )
        )
        added = bool(getattr(result, "rowcount", 0))
        if not added:
            await self.session.execute(
                update(SourceRow)
                .where(SourceRow.url == url, SourceRow.retired_at.is_not(None))
                .values(enabled=True, retired_at=None)
            )
        return added

    async def entries(self) -> list[SourceEntry]:
        """Every source, oldest first, with where it came from and how it fares."""
        rows = await self.session.execute(select(SourceRow).order_by(SourceRow.id))
        return [
            SourceEntry(
                url=row.url,
                enabled=row.enabled,
                from_setting=row.from_setting,
                retired_at=as_utc(row.retired_at),
                failures=row.failures,
                last_success_at=as_utc(row.last_success_at),
                last_error=row.last_error,
                selectors=stored_selectors(row.selectors),
            )
            for row in rows.scalars()
        ]

    async def selectors(self, url: str) -> dict[str, str] | None:
        """The CSS selectors of the source at `url`, or None when there is no such source."""
        found = await self.session.execute(select(SourceRow.selectors).where(SourceRow.url == url))
        row = found.first()
        return None if row is None else dict(stored_selectors(row[0]))

    async def set_selectors(self, url: str, selectors: Mapping[str, str]) -> None:
        """Replace the source's selectors (checked by the caller); none clears them."""
        stored = json.dumps(dict(sorted(selectors.items())), ensure_ascii=False)
        await self.session.execute(
            update(SourceRow)
            .where(SourceRow.url == url)
            .values(selectors=stored if selectors else None)
        )


async def register_setting_sources(db: Database, urls: Sequence[str], now: datetime) -> list[str]:
    """At start: register NASHIR_SOURCES, retire what left it, and say so in the log."""
    async with db.session() as session:
        retired = await SettingSources(session).sync_setting(urls, now)
        await session.commit()
    for url in retired:
        log.info("source %s is no longer in NASHIR_SOURCES: retired (kept, not polled)", url)
    return retired
