"""Articles, their tags and their read-count samples.

Tags sit in their own table with their position, so an article's hashtags
come back in the order they were stored; every read of the site's counter is
kept as a sample because trending compares counts over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import (
    article_from_row,
    as_utc,
    insert_ignoring_conflicts,
    insert_many_ignoring_conflicts,
)
from bot.adapters.storage.tables import (
    AUTHOR_MAX_CHARS,
    ArticleRow,
    ArticleTagRow,
    ReadSampleRow,
    SearchIndexRow,
    TagRow,
)
from bot.core.ingest_ports import KnownStories, NewStory
from bot.core.model import Article, ArticleDraft

_LOOKUP_CHUNK = 500  # URLs per IN (…): well under SQLite's and asyncpg's parameter limits


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _LOOKUP_CHUNK] for i in range(0, len(values), _LOOKUP_CHUNK)]


def _author(text: str | None) -> str | None:
    """The byline as stored: one line, cut to the column's width; none when blank."""
    line = " ".join((text or "").split())[:AUTHOR_MAX_CHARS].strip()
    return line or None


def _article_row(new: NewStory, now: datetime) -> ArticleRow:
    draft = new.draft
    return ArticleRow(
        canonical_url=new.canonical_url,
        url=draft.url,
        guid=draft.guid,
        title=draft.title,
        title_key=new.title_key,
        body=draft.body_text,
        summary=draft.summary,
        section=draft.section,
        outlet=draft.outlet,
        source_credit=draft.source_credit,
        author=_author(draft.author),
        image=draft.image,
        published_at=draft.published_at,
        first_seen_at=now,
        reads=draft.reads,
        breaking=new.breaking,
        skipped=False,
        source_id=new.source_id,
    )


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
        new = NewStory(draft, canonical_url, title_key, tuple(tag_keys), source_id, breaking)
        row = _article_row(new, now)
        self.session.add(row)
        await self.session.flush()
        await self._tag(row.id, tag_keys)
        if draft.reads is not None:
            self.session.add(ReadSampleRow(article_id=row.id, reads=draft.reads, sampled_at=now))
        return article_from_row(row, tuple(name for name, _ in tag_keys))

    async def known(
        self,
        *,
        canonical_urls: Sequence[str],
        guids: Sequence[str],
        title_keys: Sequence[str],
        since: datetime,
    ) -> KnownStories:
        """Ids of stored stories among many, in a few queries (`find_duplicate` for a batch)."""
        known = KnownStories()
        for chunk in _chunks(sorted(set(canonical_urls))):
            rows = await self.session.execute(
                select(ArticleRow.canonical_url, ArticleRow.id).where(
                    ArticleRow.canonical_url.in_(chunk)
                )
            )
            known.by_url.update({str(url): int(i) for url, i in rows})
        for chunk in _chunks(sorted({g for g in guids if g})):
            rows = await self.session.execute(
                select(ArticleRow.guid, func.min(ArticleRow.id))
                .where(ArticleRow.guid.in_(chunk))
                .group_by(ArticleRow.guid)
            )
            known.by_guid.update({str(guid): int(i) for guid, i in rows})
        for chunk in _chunks(sorted({k for k in title_keys if k})):
            titled = await self.session.execute(
                select(ArticleRow.title_key, ArticleRow.id, ArticleRow.first_seen_at).where(
                    ArticleRow.title_key.in_(chunk)
                )
            )
            for key, article_id, seen in titled:
                known.any_title.setdefault(str(key), int(article_id))
                if as_utc(seen) >= since:
                    known.recent_title.setdefault(str(key), int(article_id))
        return known

    async def add_many(self, new: Sequence[NewStory], *, now: datetime) -> list[Article]:
        """Store many new articles with their tags in a few statements (a first poll's items)."""
        if not new:
            return []
        rows = [_article_row(item, now) for item in new]
        self.session.add_all(rows)
        await self.session.flush()  # one INSERT … RETURNING for the batch
        names = {key: name for item in new for name, key in item.tag_keys}
        tag_ids: dict[str, int] = {}
        for chunk in _chunks(sorted(names)):
            await self.session.execute(
                insert_many_ignoring_conflicts(
                    self.session, TagRow, [{"name": names[key], "key": key} for key in chunk]
                )
            )
            found = await self.session.execute(
                select(TagRow.key, TagRow.id).where(TagRow.key.in_(chunk))
            )
            tag_ids.update({str(key): int(i) for key, i in found})
        links = [
            {"article_id": row.id, "tag_id": tag_ids[key], "position": position}
            for row, item in zip(rows, new, strict=True)
            for position, (_, key) in enumerate(item.tag_keys)
        ]
        for start in range(0, len(links), _LOOKUP_CHUNK):
            await self.session.execute(
                insert_many_ignoring_conflicts(
                    self.session, ArticleTagRow, links[start : start + _LOOKUP_CHUNK]
                )
            )
        samples = [
            ReadSampleRow(article_id=row.id, reads=item.draft.reads, sampled_at=now)
            for row, item in zip(rows, new, strict=True)
            if item.draft.reads is not None
        ]
        self.session.add_all(samples)
        return [
            article_from_row(row, tuple(name for name, _ in item.tag_keys))
            for row, item in zip(rows, new, strict=True)
        ]

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
        lets the next search index the new one (`bot.services.search.Search.refresh`).
        """
        await self.session.execute(
            update(ArticleRow)
            .where(ArticleRow.id == article_id)
            .values(title=title, title_key=title_key, summary=summary)
        )
        await self.session.execute(
            delete(SearchIndexRow).where(SearchIndexRow.article_id == article_id)
        )

    async def texts_by_canonical_url(
        self, canonical_urls: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        """The stored headline and summary of each of these URLs that is held."""
        found: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(canonical_urls), _LOOKUP_CHUNK):
            chunk = canonical_urls[start : start + _LOOKUP_CHUNK]
            rows = await self.session.execute(
                select(ArticleRow.canonical_url, ArticleRow.title, ArticleRow.summary).where(
                    ArticleRow.canonical_url.in_(chunk)
                )
            )
            for url, title, summary in rows:
                found[url] = (title, summary)
        return found

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
        return article_from_row(row, await self._tags_of(article_id))

    async def by_url(self, canonical_url: str) -> Article | None:
        """The article stored under this canonical URL."""
        row = await self.session.scalar(
            select(ArticleRow).where(ArticleRow.canonical_url == canonical_url)
        )
        return None if row is None else article_from_row(row, await self._tags_of(row.id))

    async def latest(self, limit: int) -> list[Article]:
        """Newest first by publication time (first seen when the site gave none)."""
        order = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at).desc()
        rows = await self.session.execute(
            select(ArticleRow).where(ArticleRow.skipped.is_(False)).order_by(order).limit(limit)
        )
        return [article_from_row(row, await self._tags_of(row.id)) for row in rows.scalars()]

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
