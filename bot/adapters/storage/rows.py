"""What every repository shares: conflict-free inserts and rows turned into model objects.

Rows never leave the storage package; these converters are the one place a
row becomes plain data, so a column's quirk (a naive SQLite time, a thread id
of 0 standing for none) is undone once for every module that reads it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.adapters.storage.tables import ArticleRow, Base, DeliveryRow, DestinationRow, SourceRow
from bot.core.model import (
    Article,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    DestinationState,
    Platform,
    Selectors,
    Source,
)


def insert_ignoring_conflicts(
    session: AsyncSession, table: type[Base], values: dict[str, Any]
) -> Executable:
    """An INSERT that does nothing when a unique key already exists (both dialects)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()  # type: ignore[no-any-return]


def insert_many_ignoring_conflicts(
    session: AsyncSession, table: type[Base], rows: list[dict[str, Any]]
) -> Executable:
    """One multi-row INSERT that skips rows whose unique key already exists (both dialects)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).values(rows).on_conflict_do_nothing()  # type: ignore[no-any-return]


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in Nashir is aware UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def source_from_row(row: SourceRow) -> Source:
    """The source as the core sees it."""
    return Source(
        id=row.id,
        url=row.url,
        enabled=row.enabled,
        etag=row.etag,
        last_modified=row.last_modified,
        failures=row.failures,
        next_poll_at=as_utc(row.next_poll_at),
        last_polled_at=as_utc(row.last_polled_at),
        last_success_at=as_utc(row.last_success_at),
        last_error=row.last_error,
        primed=row.primed,
        selectors=stored_selectors(row.selectors),
    )


def stored_selectors(stored: str | None) -> Selectors:
    """A source's CSS selectors, stored as a JSON object, as (field, selector) pairs."""
    return tuple(sorted(json.loads(stored).items())) if stored else ()


def article_from_row(row: ArticleRow, tags: tuple[str, ...]) -> Article:
    """The article as the core sees it; tags live in their own table, so the caller brings them."""
    return Article(
        id=row.id,
        url=row.url,
        title=row.title,
        body=row.body,
        guid=row.guid,
        summary=row.summary,
        section=row.section,
        outlet=row.outlet,
        source_credit=row.source_credit,
        author=row.author,
        image=row.image,
        published_at=as_utc(row.published_at),
        first_seen_at=as_utc(row.first_seen_at),
        tags=tags,
        reads=row.reads,
        breaking=row.breaking,
    )


def destination_from_row(row: DestinationRow) -> Destination:
    """The destination as the core sees it; a thread id of 0 (kept for the unique key) is none."""
    return Destination(
        id=row.id,
        platform=Platform(row.platform),
        kind=DestinationKind(row.kind),
        address=row.address,
        thread_id=row.thread_id or None,
        state=DestinationState(row.state),
        disabled_reason=row.disabled_reason,
        title=row.title,
    )


def delivery_from_row(row: DeliveryRow) -> Delivery:
    """The outbox row as the core sees it, leaving out claims, priority and the content hash."""
    return Delivery(
        id=row.id,
        destination_id=row.destination_id,
        kind=DeliveryKind(row.kind),
        state=DeliveryState(row.state),
        article_id=row.article_id,
        attempts=row.attempts,
        next_attempt_at=as_utc(row.next_attempt_at),
        message_id=row.message_id,
        last_error=row.last_error,
        payload=row.payload,
    )
