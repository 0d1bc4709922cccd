"""In-memory fakes of ingest's ports: stories, readings and sources, with commit semantics.

A unit's writes (new articles, revisions, readings) stay in the unit until it
commits, as a transaction's do; an announcing unit also carries publishing's
fake outbox (`publishing_fakes.FakeUnit`), so a test sees an article and its
posts commit together or not at all. Nothing here touches a database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from publishing_fakes import FakeOutbox, FakeStore, FakeUnit

from bot.core.ingest_ports import IngestUnit, KnownStories, NewStory, Reading, StoryUnit
from bot.core.model import Article, SocialLinks, Source
from bot.core.revision_guard import HeldChange


@dataclass
class Stored:
    """One committed article with the keys ingest looks it up by."""

    article: Article
    canonical_url: str
    title_key: str
    seen: datetime


@dataclass
class FakeStories:
    """The committed state: articles, readings, the site's links, sources and held changes."""

    stored: dict[int, Stored] = field(default_factory=dict)
    readings: dict[int, list[Reading]] = field(default_factory=dict)
    social: SocialLinks = field(default_factory=SocialLinks)
    sources: dict[int, Source] = field(default_factory=dict)
    held: dict[int, tuple[str, list[HeldChange]]] = field(default_factory=dict)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    commits: int = 0
    units_opened: int = 0
    fail_add_many: bool = False  # a batch insert that fails as a whole (a bad row among many)

    def titles(self) -> list[str]:
        """Headlines of the committed articles, in id order."""
        return [self.stored[i].article.title for i in sorted(self.stored)]

    def by_title(self, title: str) -> Article:
        """The committed article with this headline."""
        return next(s.article for s in self.stored.values() if s.article.title == title)

    def source(self, url: str, *, primed: bool = True) -> Source:
        """A new source."""
        source = Source(len(self.sources) + 1, url, primed=primed)
        self.sources[source.id] = source
        return source


class FakeStoryUnit:
    """`StoryUnit`: reads see committed rows and this unit's own; writes wait for commit."""

    def __init__(self, state: FakeStories) -> None:
        self.state = state
        self.added: dict[int, Stored] = {}
        self.revised: dict[int, tuple[str, str, str | None]] = {}
        self.new_readings: list[tuple[int, Reading]] = []
        state.units_opened += 1

    def _all(self) -> dict[int, Stored]:
        return {**self.state.stored, **self.added}

    async def last_reading(self, article_id: int) -> Reading | None:
        found = list(self.state.readings.get(article_id, []))
        found += [r for i, r in self.new_readings if i == article_id]
        return max(found) if found else None

    async def add_reading(self, article_id: int, reads: int, now: datetime) -> None:
        self.new_readings.append((article_id, (now, reads)))

    async def find_duplicate(
        self, *, canonical_url: str, guid: str | None, title_key: str, since: datetime | None
    ) -> int | None:
        stored = self._all()
        for i, s in sorted(stored.items()):
            if s.canonical_url == canonical_url:
                return i
        for i, s in sorted(stored.items()):
            if guid and s.article.guid == guid:
                return i
        for i, s in sorted(stored.items()):
            if title_key and s.title_key == title_key and (since is None or s.seen >= since):
                return i
        return None

    async def known(
        self,
        *,
        canonical_urls: Sequence[str],
        guids: Sequence[str],
        title_keys: Sequence[str],
        since: datetime,
    ) -> KnownStories:
        known = KnownStories()
        for i, s in sorted(self._all().items()):
            if s.canonical_url in canonical_urls:
                known.by_url.setdefault(s.canonical_url, i)
            if s.article.guid and s.article.guid in guids:
                known.by_guid.setdefault(s.article.guid, i)
            if s.title_key in title_keys:
                known.any_title.setdefault(s.title_key, i)
                if s.seen >= since:
                    known.recent_title.setdefault(s.title_key, i)
        return known

    async def article(self, article_id: int) -> Article | None:
        stored = self._all().get(article_id)
        if stored is None:
            return None
        if article_id in self.revised:
            title, _, summary = self.revised[article_id]
            return dataclasses.replace(stored.article, title=title, summary=summary)
        return stored.article

    async def revise_text(
        self, article_id: int, *, title: str, title_key: str, summary: str | None
    ) -> None:
        self.revised[article_id] = (title, title_key, summary)

    async def add(self, story: NewStory, now: datetime) -> Article:
        article_id = max(self._all(), default=0) + 1
        draft = story.draft
        article = Article(
            id=article_id,
            url=draft.url,
            title=draft.title,
            body="\n\n".join(draft.body),
            guid=draft.guid,
            summary=draft.summary,
            section=draft.section,
            published_at=draft.published_at,
            first_seen_at=now,
            tags=tuple(name for name, _ in story.tag_keys),
            reads=draft.reads,
            breaking=story.breaking,
            author=draft.author,
        )
        self.added[article_id] = Stored(article, story.canonical_url, story.title_key, now)
        if draft.reads is not None:
            await self.add_reading(article_id, draft.reads, now)
        return article

    async def add_many(self, stories: Sequence[NewStory], now: datetime) -> list[Article]:
        if self.state.fail_add_many:
            raise RuntimeError("a row of the batch was refused")
        return [await self.add(story, now) for story in stories]

    async def commit(self) -> None:
        self.apply()

    def apply(self) -> None:
        """Make this unit's writes the committed state."""
        self.state.stored.update(self.added)
        for article_id, (title, title_key, summary) in self.revised.items():
            old = self.state.stored[article_id]
            self.state.stored[article_id] = Stored(
                dataclasses.replace(old.article, title=title, summary=summary),
                old.canonical_url,
                title_key,
                old.seen,
            )
        for article_id, reading in self.new_readings:
            self.state.readings.setdefault(article_id, []).append(reading)
        self.added, self.revised, self.new_readings = {}, {}, []
        self.state.commits += 1


class FakeIngestUnit(FakeStoryUnit):
    """`IngestUnit`: the stories and publishing's fake outbox, committed together."""

    def __init__(self, state: FakeStories) -> None:
        super().__init__(state)
        self.outbox_unit = FakeUnit(state.outbox)

    @property
    def outbox(self) -> FakeStore:
        return self.outbox_unit.outbox

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        self.outbox_unit.after_commit(action)

    async def commit(self) -> None:
        self.apply()
        await self.outbox_unit.commit()


class FakeIngestStore:
    """`IngestStore` over a `FakeStories` state."""

    def __init__(self, state: FakeStories) -> None:
        self.state = state

    @asynccontextmanager
    async def stories(self) -> AsyncIterator[StoryUnit]:
        yield FakeStoryUnit(self.state)

    @asynccontextmanager
    async def announcing(self) -> AsyncIterator[IngestUnit]:
        yield FakeIngestUnit(self.state)

    async def stored_texts(
        self, canonical_urls: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        return {
            s.canonical_url: (s.article.title, s.article.summary)
            for s in self.state.stored.values()
            if s.canonical_url in canonical_urls
        }

    async def site_social(self) -> SocialLinks:
        return self.state.social

    async def remember_site_social(self, social: SocialLinks, now: datetime) -> None:
        self.state.social = social

    async def keep_held(
        self, source: Source, reason: str, changes: list[HeldChange], now: datetime
    ) -> None:
        self.state.held[source.id] = (reason, list(changes))

    async def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        self.state.sources[source_id] = dataclasses.replace(
            self.state.sources[source_id],
            etag=etag,
            last_modified=last_modified,
            failures=0,
            last_error=None,
            last_polled_at=now,
            last_success_at=now,
            next_poll_at=next_poll_at,
            primed=True,
        )

    async def record_partial(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        old = self.state.sources[source_id]
        self.state.sources[source_id] = dataclasses.replace(
            old,
            failures=old.failures + 1,
            last_error=error,
            last_polled_at=now,
            last_success_at=now,
            next_poll_at=next_poll_at,
            primed=True,
        )
        return old.failures + 1

    async def record_failure(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        old = self.state.sources[source_id]
        self.state.sources[source_id] = dataclasses.replace(
            old,
            failures=old.failures + 1,
            last_error=error,
            last_polled_at=now,
            next_poll_at=next_poll_at,
        )
        return old.failures + 1
