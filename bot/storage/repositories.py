"""Repositories: add and query rows, return plain `bot.model` objects, never commit.

The service that owns the unit of work commits (one commit per use case), so
a crash between two steps never leaves half an article stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.model import (
    Article,
    ArticleDraft,
    AuditEntry,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    DestinationState,
    Platform,
    Source,
)
from bot.storage.tables import (
    ArticleRow,
    ArticleTagRow,
    AuditRow,
    Base,
    DeliveryRow,
    DestinationRow,
    FlagRow,
    ReadSampleRow,
    SearchIndexRow,
    SourceRow,
    TagRow,
)


def insert_ignoring_conflicts(
    session: AsyncSession, table: type[Base], values: dict[str, Any]
) -> Executable:
    """An INSERT that does nothing when a unique key already exists (both dialects)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()  # type: ignore[no-any-return]


class SourceRepository:
    """Sources and their polling state."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, url: str, now: datetime) -> Source:
        """Return the source for `url`, adding it when new."""
        await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                SourceRow,
                {"url": url, "created_at": now, "enabled": True, "failures": 0, "primed": False},
            )
        )
        row = (
            await self.session.execute(select(SourceRow).where(SourceRow.url == url))
        ).scalar_one()
        return _source(row)

    async def get(self, source_id: int) -> Source | None:
        """The source with this id, if any."""
        row = await self.session.get(SourceRow, source_id)
        return _source(row) if row is not None else None

    async def all(self) -> list[Source]:
        """Every source, oldest first."""
        rows = await self.session.execute(select(SourceRow).order_by(SourceRow.id))
        return [_source(row) for row in rows.scalars()]

    async def remove(self, url: str) -> bool:
        """Delete a source (its articles stay); True when it existed."""
        result = await self.session.execute(delete(SourceRow).where(SourceRow.url == url))
        return bool(getattr(result, "rowcount", 0))

    async def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """Remember validators for the next conditional GET and reset the failure count."""
        await self.session.execute(
            update(SourceRow)
            .where(SourceRow.id == source_id)
            .values(
                etag=etag,
                last_modified=last_modified,
                failures=0,
                last_error=None,
                last_polled_at=now,
                last_success_at=now,
                next_poll_at=next_poll_at,
                primed=True,
            )
        )

    async def record_failure(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """Count one more failure and return the new count (alerts key on it)."""
        row = await self.session.get(SourceRow, source_id)
        if row is None:
            return 0
        row.failures += 1
        row.last_error = error[:2000]
        row.last_polled_at = now
        row.next_poll_at = next_poll_at
        return row.failures


class ArticleRepository:
    """Articles, their tags and their read-count samples."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_duplicate(
        self, *, canonical_url: str, guid: str | None, title_key: str, since: datetime | None
    ) -> int | None:
        """Id of a stored article that is the same story, by URL, guid or title."""
        by_url = await self.session.scalar(
            select(ArticleRow.id).where(ArticleRow.canonical_url == canonical_url)
        )
        if by_url is not None:
            return by_url
        if guid:
            by_guid = await self.session.scalar(
                select(ArticleRow.id).where(ArticleRow.guid == guid).limit(1)
            )
            if by_guid is not None:
                return by_guid
        if title_key:
            query = select(ArticleRow.id).where(ArticleRow.title_key == title_key)
            if since is not None:
                query = query.where(ArticleRow.first_seen_at >= since)
            return await self.session.scalar(query.limit(1))
        return None

    async def add(
        self,
        draft: ArticleDraft,
        *,
        canonical_url: str,
        title_key: str,
        tag_keys: Sequence[tuple[str, str]],
        now: datetime,
        source_id: int | None,
        breaking: bool,
    ) -> Article:
        """Store a new article with its tags; `tag_keys` pairs each tag with its folded key."""
        row = ArticleRow(
            canonical_url=canonical_url,
            url=draft.url,
            guid=draft.guid,
            title=draft.title,
            title_key=title_key,
            body=draft.body_text,
            summary=draft.summary,
            section=draft.section,
            outlet=draft.outlet,
            source_credit=draft.source_credit,
            image=draft.image,
            published_at=draft.published_at,
            first_seen_at=now,
            reads=draft.reads,
            breaking=breaking,
            skipped=False,
            source_id=source_id,
        )
        self.session.add(row)
        await self.session.flush()
        await self._tag(row.id, tag_keys)
        if draft.reads is not None:
            self.session.add(ReadSampleRow(article_id=row.id, reads=draft.reads, sampled_at=now))
        return _article(row, tuple(name for name, _ in tag_keys))

    async def _tag(self, article_id: int, tag_keys: Sequence[tuple[str, str]]) -> None:
        for position, (name, key) in enumerate(tag_keys):
            await self.session.execute(
                insert_ignoring_conflicts(self.session, TagRow, {"name": name, "key": key})
            )
            tag_id = await self.session.scalar(select(TagRow.id).where(TagRow.key == key))
            await self.session.execute(
                insert_ignoring_conflicts(
                    self.session,
                    ArticleTagRow,
                    {"article_id": article_id, "tag_id": tag_id, "position": position},
                )
            )

    async def revise_text(
        self, article_id: int, *, title: str, title_key: str, summary: str | None
    ) -> None:
        """The site changed the headline or summary: keep the new text.

        The article's search document was made from the old text; dropping it
        lets the next search index the new one (`bot.search.Search.refresh`).
        """
        await self.session.execute(
            update(ArticleRow)
            .where(ArticleRow.id == article_id)
            .values(title=title, title_key=title_key, summary=summary)
        )
        await self.session.execute(
            delete(SearchIndexRow).where(SearchIndexRow.article_id == article_id)
        )

    async def record_reads(self, article_id: int, reads: int, now: datetime) -> None:
        """Keep one sample of the read counter and the latest value on the article."""
        self.session.add(ReadSampleRow(article_id=article_id, reads=reads, sampled_at=now))
        await self.session.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(reads=reads)
        )

    async def get(self, article_id: int) -> Article | None:
        """The article with its tags."""
        row = await self.session.get(ArticleRow, article_id)
        if row is None:
            return None
        return _article(row, await self._tags_of(article_id))

    async def by_url(self, canonical_url: str) -> Article | None:
        """The article stored under this canonical URL."""
        row = await self.session.scalar(
            select(ArticleRow).where(ArticleRow.canonical_url == canonical_url)
        )
        return None if row is None else _article(row, await self._tags_of(row.id))

    async def latest(self, limit: int) -> list[Article]:
        """Newest first by publication time (first seen when the site gave none)."""
        order = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at).desc()
        rows = await self.session.execute(
            select(ArticleRow).where(ArticleRow.skipped.is_(False)).order_by(order).limit(limit)
        )
        return [_article(row, await self._tags_of(row.id)) for row in rows.scalars()]

    async def count(self) -> int:
        """How many articles are stored."""
        return int(await self.session.scalar(select(func.count(ArticleRow.id))) or 0)

    async def set_skipped(self, article_id: int, skipped: bool = True) -> None:
        """An article marked skipped is never posted."""
        await self.session.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(skipped=skipped)
        )

    async def is_skipped(self, article_id: int) -> bool:
        """Whether an admin said never to post this article."""
        return bool(
            await self.session.scalar(select(ArticleRow.skipped).where(ArticleRow.id == article_id))
        )

    async def _tags_of(self, article_id: int) -> tuple[str, ...]:
        rows = await self.session.execute(
            select(TagRow.name)
            .join(ArticleTagRow, ArticleTagRow.tag_id == TagRow.id)
            .where(ArticleTagRow.article_id == article_id)
            .order_by(ArticleTagRow.position)
        )
        return tuple(rows.scalars())


class DestinationRepository:
    """Where posts go, and whether each place still takes them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(
        self,
        platform: Platform,
        kind: DestinationKind,
        address: str,
        now: datetime,
        *,
        thread_id: int | None = None,
        title: str | None = None,
    ) -> Destination:
        """Return the destination, adding it when new (state of an old one is kept)."""
        values = {
            "platform": platform.value,
            "kind": kind.value,
            "address": address,
            "thread_id": thread_id or 0,
            "state": DestinationState.ACTIVE.value,
            "title": title,
            "created_at": now,
        }
        await self.session.execute(insert_ignoring_conflicts(self.session, DestinationRow, values))
        row = await self.session.scalar(
            select(DestinationRow).where(
                DestinationRow.platform == platform.value,
                DestinationRow.address == address,
                DestinationRow.thread_id == (thread_id or 0),
            )
        )
        assert row is not None
        return _destination(row)

    async def get(self, destination_id: int) -> Destination | None:
        """The destination with this id."""
        row = await self.session.get(DestinationRow, destination_id)
        return None if row is None else _destination(row)

    async def active(self, kinds: Sequence[DestinationKind] | None = None) -> list[Destination]:
        """Active destinations, optionally of some kinds only."""
        query = select(DestinationRow).where(DestinationRow.state == DestinationState.ACTIVE.value)
        if kinds:
            query = query.where(DestinationRow.kind.in_([kind.value for kind in kinds]))
        rows = await self.session.execute(query.order_by(DestinationRow.id))
        return [_destination(row) for row in rows.scalars()]

    async def all(self) -> list[Destination]:
        """Every destination, disabled ones too."""
        rows = await self.session.execute(select(DestinationRow).order_by(DestinationRow.id))
        return [_destination(row) for row in rows.scalars()]

    async def disable(self, destination_id: int, reason: str) -> None:
        """Stop posting here and say why (shown to admins)."""
        await self.session.execute(
            update(DestinationRow)
            .where(DestinationRow.id == destination_id)
            .values(state=DestinationState.DISABLED.value, disabled_reason=reason[:1000])
        )

    async def move(self, destination_id: int, new_address: str) -> None:
        """Follow a chat that moved (a group upgraded to a supergroup)."""
        await self.session.execute(
            update(DestinationRow)
            .where(DestinationRow.id == destination_id)
            .values(address=new_address)
        )


class OutboxRepository:
    """The delivery outbox: enqueue once, claim, and record what happened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        *,
        key: str,
        destination_id: int,
        kind: DeliveryKind,
        due: datetime,
        now: datetime,
        article_id: int | None = None,
        priority: int = 0,
        payload: str | None = None,
    ) -> bool:
        """Add a delivery unless one with this key exists for this destination."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                DeliveryRow,
                {
                    "key": key,
                    "destination_id": destination_id,
                    "article_id": article_id,
                    "kind": kind.value,
                    "state": DeliveryState.PENDING.value,
                    "priority": priority,
                    "attempts": 0,
                    "next_attempt_at": due,
                    "payload": payload,
                    "created_at": now,
                },
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim(
        self, *, now: datetime, limit: int, worker: str, skip_locked: bool
    ) -> list[Delivery]:
        """Mark up to `limit` due rows as `sending` by this worker and return them.

        On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several instances claim
        disjoint batches; SQLite serialises writers, so a plain update is safe.
        """
        query = (
            select(DeliveryRow.id)
            .where(
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at <= now,
            )
            .order_by(DeliveryRow.priority.desc(), DeliveryRow.next_attempt_at, DeliveryRow.id)
            .limit(limit)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        ids = list((await self.session.execute(query)).scalars())
        if not ids:
            return []
        await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids), DeliveryRow.state == DeliveryState.PENDING.value)
            .values(
                state=DeliveryState.SENDING.value,
                claimed_at=now,
                claimed_by=worker,
                attempts=DeliveryRow.attempts + 1,
            )
        )
        rows = await self.session.execute(
            select(DeliveryRow)
            .where(
                DeliveryRow.id.in_(ids),
                DeliveryRow.claimed_by == worker,
                DeliveryRow.state == DeliveryState.SENDING.value,
            )
            .order_by(DeliveryRow.priority.desc(), DeliveryRow.next_attempt_at, DeliveryRow.id)
        )
        return [_delivery(row) for row in rows.scalars()]

    async def mark_sent(self, delivery_id: int, *, message_id: str, now: datetime) -> None:
        """The platform accepted the post; keep its id for edits and deletes."""
        await self._set(
            delivery_id,
            state=DeliveryState.SENT.value,
            message_id=message_id,
            sent_at=now,
            last_error=None,
        )

    async def mark_retry(
        self, delivery_id: int, *, error: str, at: datetime, refund: bool = False
    ) -> None:
        """Put the row back in the queue, due at `at`.

        `refund` gives the attempt back: waiting out a rate limit is not a failure.
        """
        if refund:
            await self._set(delivery_id, attempts=DeliveryRow.attempts - 1)
        await self._set(
            delivery_id,
            state=DeliveryState.PENDING.value,
            next_attempt_at=at,
            last_error=error[:2000],
            claimed_by=None,
        )

    async def mark_final(
        self, delivery_id: int, state: DeliveryState, *, error: str | None
    ) -> None:
        """End the row as failed or skipped, with the reason."""
        await self._set(
            delivery_id, state=state.value, last_error=None if error is None else error[:2000]
        )

    async def release_stale(self, *, older_than: datetime) -> int:
        """Requeue rows left `sending` by a crashed worker (they may be sent once more)."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.state == DeliveryState.SENDING.value,
                DeliveryRow.claimed_at < older_than,
            )
            .values(state=DeliveryState.PENDING.value, claimed_by=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        rows = await self.session.execute(
            select(DeliveryRow.state, func.count(DeliveryRow.id)).group_by(DeliveryRow.state)
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def for_article(self, article_id: int) -> list[Delivery]:
        """Every delivery of one article (for edits, deletes and previews)."""
        rows = await self.session.execute(
            select(DeliveryRow).where(DeliveryRow.article_id == article_id).order_by(DeliveryRow.id)
        )
        return [_delivery(row) for row in rows.scalars()]

    async def sent_to(self, destination_id: int) -> list[Delivery]:
        """Sent rows of one destination, oldest first."""
        rows = await self.session.execute(
            select(DeliveryRow)
            .where(
                DeliveryRow.destination_id == destination_id,
                DeliveryRow.state == DeliveryState.SENT.value,
            )
            .order_by(DeliveryRow.sent_at, DeliveryRow.id)
        )
        return [_delivery(row) for row in rows.scalars()]

    async def last_due(self, destination_id: int) -> datetime | None:
        """The latest time a post to this destination is planned or was sent (for spacing)."""
        planned = await self.session.scalar(
            select(func.max(DeliveryRow.next_attempt_at)).where(
                DeliveryRow.destination_id == destination_id,
                DeliveryRow.state.in_([DeliveryState.PENDING.value, DeliveryState.SENDING.value]),
            )
        )
        sent = await self.session.scalar(
            select(func.max(DeliveryRow.sent_at)).where(
                DeliveryRow.destination_id == destination_id
            )
        )
        times = [_utc(t) for t in (planned, sent) if t is not None]
        return max(times) if times else None

    async def _set(self, delivery_id: int, **values: Any) -> None:
        await self.session.execute(
            update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
        )


class AuditRepository:
    """The audit log."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, user_id: int | None, action: str, detail: str | None, allowed: bool, now: datetime
    ) -> None:
        """Write one entry."""
        self.session.add(
            AuditRow(at=now, user_id=user_id, action=action, detail=detail, allowed=allowed)
        )

    async def recent(self, limit: int) -> list[AuditEntry]:
        """Newest entries first."""
        rows = await self.session.execute(
            select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        )
        return [
            AuditEntry(
                at=_utc(r.at),
                user_id=r.user_id,
                action=r.action,
                detail=r.detail,
                allowed=r.allowed,
            )
            for r in rows.scalars()
        ]


class FlagRepository:
    """Named values shared by every instance (paused, last digest date...)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, name: str) -> str | None:
        """The value, or None when never set."""
        return await self.session.scalar(select(FlagRow.value).where(FlagRow.name == name))

    async def set(self, name: str, value: str, now: datetime) -> None:
        """Create or replace the value."""
        row = await self.session.get(FlagRow, name)
        if row is None:
            self.session.add(FlagRow(name=name, value=value, updated_at=now))
        else:
            row.value = value
            row.updated_at = now


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in Nashir is aware UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _source(row: SourceRow) -> Source:
    selectors: tuple[tuple[str, str], ...] = ()
    if row.selectors:
        selectors = tuple(sorted(json.loads(row.selectors).items()))
    return Source(
        id=row.id,
        url=row.url,
        enabled=row.enabled,
        etag=row.etag,
        last_modified=row.last_modified,
        failures=row.failures,
        next_poll_at=_utc(row.next_poll_at),
        last_polled_at=_utc(row.last_polled_at),
        last_success_at=_utc(row.last_success_at),
        last_error=row.last_error,
        primed=row.primed,
        selectors=selectors,
    )


def _article(row: ArticleRow, tags: tuple[str, ...]) -> Article:
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
        image=row.image,
        published_at=_utc(row.published_at),
        first_seen_at=_utc(row.first_seen_at),
        tags=tags,
        reads=row.reads,
        breaking=row.breaking,
    )


def _destination(row: DestinationRow) -> Destination:
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


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        destination_id=row.destination_id,
        kind=DeliveryKind(row.kind),
        state=DeliveryState(row.state),
        article_id=row.article_id,
        attempts=row.attempts,
        next_attempt_at=_utc(row.next_attempt_at),
        message_id=row.message_id,
        last_error=row.last_error,
        payload=row.payload,
    )
