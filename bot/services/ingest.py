"""Ingest: poll a source, read what it holds, store each story once, queue the new ones.

One poll is one unit of work per article: an article, its tags, its first
read sample and its outbox rows are committed together or not at all, so a
crash or a bad item never leaves half an article behind. A failing source
backs off exponentially (up to `max_backoff`) and never stops the others; no
host gets more than `host_concurrency` requests at a time, however many
sources and pages point at it. The CMS hook (`bot.entrypoints.hooks`) ends in the same
`store`, so a story announced and then polled is one story.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from bot.adapters.sources.documents import read_document
from bot.adapters.sources.fetch import Fetcher, FetchResult
from bot.adapters.sources.pages import extract_article
from bot.adapters.sources.sanitise import clean_draft, describe, shown_link
from bot.core.crash_points import crash_point
from bot.core.errors import SourceError
from bot.core.events import Events
from bot.core.ingest_ports import IngestStore, NewStory, ReadingLog, StoryUnit
from bot.core.links import canonical_url
from bot.core.model import Article, ArticleDraft, Selectors, SocialLinks, Source
from bot.core.ports import Clock, UnitOfWork
from bot.core.revision_guard import HeldChange, RevisionGate
from bot.core.revision_guard import plan as plan_revisions
from bot.core.selection import plausible
from bot.core.tag_match import stored_key
from bot.core.text.arabic import fold

log = logging.getLogger(__name__)

TITLE_DEDUP_WINDOW = timedelta(days=3)
QUIET_BATCH = 500  # items of a first poll stored per transaction
TOUCH_EVERY = timedelta(minutes=5)

_REVISION_GATE: contextvars.ContextVar[RevisionGate | None] = contextvars.ContextVar(
    "revision_gate", default=None
)
"""The current poll's `RevisionGate`; None outside a poll (the CMS hook revises freely)."""
_PAGE_WANTED: contextvars.ContextVar[bool] = contextvars.ContextVar("page_wanted", default=True)
"""Whether the item being stored will be posted, so its page is worth fetching."""

OnChangedArticle = Callable[[int], Awaitable[object]]
OnNewArticle = Callable[[Article, Source | None, UnitOfWork], Awaitable[object]]
"""Queues a new article's posts inside the unit of work that stores it."""


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What ingest needs from the settings."""

    poll_interval: float = 120.0
    complete_from_page: bool = True
    jitter: float = 0.1
    breaking_markers: tuple[str, ...] = ("عاجل",)
    max_backoff: float = 3600.0
    host_concurrency: int = 2
    max_reads_per_hour: float = 100_000
    page_interval: float = 0.25


@dataclass(slots=True)
class PollReport:
    """What one poll of one source did: logged, counted in metrics and shown to admins."""

    source: str
    status: str = "ok"
    found: int = 0
    new: list[Article] = field(default_factory=list)
    error: str | None = None
    skipped: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


class Ingestor:
    """Polls sources and stores what they hold; new articles go to `on_new`."""

    def __init__(
        self,
        store: IngestStore,
        fetcher: Fetcher,
        clock: Clock,
        options: IngestOptions,
        *,
        on_new: OnNewArticle | None = None,
        before_new: Callable[[], Awaitable[object]] | None = None,
        on_changed: OnChangedArticle | None = None,
        rng: random.Random | None = None,
        events: Events | None = None,
    ) -> None:
        self.storage = store
        self.fetcher = fetcher
        self.clock = clock
        self.options = options
        self.on_new = on_new
        self.before_new = before_new
        self.on_changed = on_changed
        self.rng = rng or random.Random()
        self.events = events or Events()
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._next_page: dict[str, float] = {}

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch through the fetcher, at most `host_concurrency` requests per host at once."""
        host = (urlsplit(url).hostname or "").lower()
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = asyncio.Semaphore(self.options.host_concurrency)
        async with gate:
            return await self.fetcher.fetch(url, etag=etag, last_modified=last_modified)

    async def poll(self, source: Source, *, backfill: int = 0) -> PollReport:
        """Poll once. The first successful poll of a source stores without announcing.

        `backfill` announces the newest N items of that first poll anyway
        (`nashir run --backfill N`).
        """
        started = time.monotonic()
        report = await self._poll(source, backfill)
        self.events.poll_finished(
            source.url, report.status, time.monotonic() - started, len(report.new)
        )
        return report

    async def _poll(self, source: Source, backfill: int) -> PollReport:
        report = PollReport(source=source.url)
        try:
            result = await self.fetch(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
            if result.not_modified:
                report.status = "not_modified"
                if self._worth_recording(source, result):
                    await self._succeeded(source, result.etag, result.last_modified)
                return report
            # A big feed takes seconds to parse: off the event loop, so other sources go on.
            drafts = await asyncio.to_thread(self._read, result, source.selectors, report)
        except SourceError as exc:
            await self._failed(source, exc, report)
            return report
        except Exception as exc:  # a parser bug or hostile input must not stop the job
            await self._failed(source, SourceError(describe(exc), url=source.url), report)
            return report
        report.found = len(drafts) + len(report.skipped)
        backfilled = set() if source.primed else {id(d) for d in _newest(drafts, backfill)}
        gate = await self._revision_gate(report, drafts)
        gate_token = _REVISION_GATE.set(gate)
        try:
            if not source.primed:  # a first poll stores, in a few transactions, and posts little
                quiet = [d for d in drafts if id(d) not in backfilled]
                report.new.extend(await self._store_quietly(source, quiet, report))
                drafts = [d for d in drafts if id(d) in backfilled]
            for draft in drafts:
                announce = source.primed or id(draft) in backfilled
                # Only an item that will be posted fetches its page: a first
                # poll stores a 20,000-item feed without 20,000 page fetches.
                page_wanted = _PAGE_WANTED.set(announce)
                try:
                    article = await self.store(draft, source=source, announce=announce)
                except Exception as exc:  # one item costs only itself, whatever went wrong
                    self._skip(report, draft.url, exc)
                    continue
                finally:
                    _PAGE_WANTED.reset(page_wanted)
                if article is not None:
                    report.new.append(article)
        finally:
            _REVISION_GATE.reset(gate_token)
        if gate.held:
            reason = "; ".join(gate.reasons)
            log.warning(
                "source %s: %d headline change%s held, posts left as they are: %s",
                source.url,
                gate.held,
                "" if gate.held == 1 else "s",
                reason,
            )
            if gate.changes:  # kept for the admins to apply or drop (`/revisions`)
                await self.storage.keep_held(source, reason, gate.changes, self.clock.now())
            self.events.revisions_held(source.url, gate.held, reason)
        if report.skipped:
            await self._partly_failed(source, report)
        else:
            await self._succeeded(source, result.etag, result.last_modified)
        log.info(
            "polled %s: %d items, %d new%s",
            source.url,
            report.found,
            len(report.new),
            "" if source.primed else " (first poll: stored, not posted)",
        )
        return report

    async def read_url(self, url: str, selectors: Selectors = ()) -> ArticleDraft:
        """Fetch one article page (or the first item of a feed) without storing it.

        `selectors` are tried as a source's would be, so an editor can check
        them on a page before setting them (`nashir ingest --selector`).
        """
        result = await self.fetch(url)
        drafts = self._read(result, selectors)
        if not drafts:
            raise SourceError("the feed holds no items", url=url)
        return await self._complete(drafts[0], selectors)

    async def store(
        self, draft: ArticleDraft, *, source: Source | None, announce: bool
    ) -> Article | None:
        """Store `draft` unless it is a story already held; return it when new.

        A known story refreshes its read counter; when the site changed its
        headline or summary (same URL or guid), the text is updated and
        `on_changed` edits what was already posted.
        """
        draft = clean_draft(draft, allow_private=self.fetcher.allow_private)
        canonical = canonical_url(draft.url)
        title_key = fold(draft.title)[:500]
        now = self.clock.now()
        async with self.storage.stories() as stories:
            existing = await stories.find_duplicate(
                canonical_url=canonical,
                guid=draft.guid,
                title_key=title_key,
                since=now - TITLE_DEDUP_WINDOW,
            )
            if existing is not None:
                if draft.reads is not None:
                    await self.record_reading(stories, existing, draft.reads)
                changed = await self._revised(stories, existing, draft, canonical, title_key)
                await stories.commit()
                if changed and self.on_changed is not None:
                    await self.on_changed(existing)
                return None
        draft = await self._complete(draft, source.selectors if source else ())
        await self._remember_social(draft.social)
        announcing = self.on_new if announce else None
        if announcing is not None and self.before_new is not None:
            await self.before_new()  # its own writes, before this unit takes the write lock
        async with self.storage.announcing() as unit:
            if await unit.find_duplicate(
                canonical_url=canonical, guid=draft.guid, title_key=title_key, since=None
            ):
                return None
            article = await unit.add(
                NewStory(
                    draft,
                    canonical,
                    title_key,
                    tuple(_tag_keys(draft.tags)),
                    source.id if source else None,
                    is_breaking(draft, self.options.breaking_markers),
                ),
                now,
            )
            if announcing is not None:
                await announcing(article, source, unit)  # its posts join this transaction
            crash_point("ingest:stored")
            await unit.commit()  # crash point "ingest:committed": durable, admins not yet asked
        log.info("stored article %d %r from %s", article.id, article.title[:80], draft.url)
        self.events.article_stored(source.url if source else None)
        return article

    async def _store_quietly(
        self, source: Source, drafts: Sequence[ArticleDraft], report: PollReport
    ) -> list[Article]:
        """Store items that will not be posted, `QUIET_BATCH` to a transaction.

        A new source's first poll may list thousands of items; one
        transaction each would keep the database busy for minutes and delay
        every other source. Nothing is announced, so no outbox row depends on
        these commits: a crash loses only a batch, which the next poll (still
        a first poll) stores again. A batch that fails as a whole is stored
        again one item at a time, so one bad row costs only itself.
        """
        stored: list[Article] = []
        for start in range(0, len(drafts), QUIET_BATCH):
            batch = drafts[start : start + QUIET_BATCH]
            try:
                stored.extend(await self._store_batch(source, batch, report))
            except Exception as exc:
                log.warning("source %s: a batch of items failed (%s); one by one", source.url, exc)
                for draft in batch:
                    try:
                        article = await self.store(draft, source=source, announce=False)
                    except Exception as error:  # one item costs only itself
                        self._skip(report, draft.url, error)
                        continue
                    if article is not None:
                        stored.append(article)
        return stored

    async def _store_batch(
        self, source: Source, drafts: Sequence[ArticleDraft], report: PollReport
    ) -> list[Article]:
        """One transaction of `_store_quietly`: dedup, revisions and new rows as `store` does."""
        cleaned: list[ArticleDraft] = []
        for draft in drafts:
            try:
                cleaned.append(clean_draft(draft, allow_private=self.fetcher.allow_private))
            except Exception as exc:
                self._skip(report, draft.url, exc)
        now = self.clock.now()
        keyed = [(d, canonical_url(d.url), fold(d.title)[:500]) for d in cleaned]
        changed: list[int] = []
        fresh: list[NewStory] = []
        async with self.storage.stories() as stories:
            known = await stories.known(
                canonical_urls=[url for _, url, _ in keyed],
                guids=[d.guid for d, _, _ in keyed if d.guid],
                title_keys=[key for _, _, key in keyed],
                since=now - TITLE_DEDUP_WINDOW,
            )
            seen_urls: set[str] = set()
            seen_guids: set[str] = set()
            seen_titles: set[str] = set()
            for draft, canonical, title_key in keyed:
                existing = (
                    known.by_url.get(canonical)
                    or (known.by_guid.get(draft.guid) if draft.guid else None)
                    or (known.recent_title.get(title_key) if title_key else None)
                )
                if existing is not None:  # a story already held: as `store` treats it
                    if draft.reads is not None:
                        await self.record_reading(stories, existing, draft.reads)
                    if await self._revised(stories, existing, draft, canonical, title_key):
                        changed.append(existing)
                    continue
                repeated = (
                    canonical in seen_urls
                    or (draft.guid is not None and draft.guid in seen_guids)
                    or (bool(title_key) and title_key in seen_titles)
                    or (bool(title_key) and title_key in known.any_title)
                )
                if repeated:
                    continue
                seen_urls.add(canonical)
                seen_titles.add(title_key)
                if draft.guid:
                    seen_guids.add(draft.guid)
                fresh.append(
                    NewStory(
                        draft,
                        canonical,
                        title_key,
                        tuple(_tag_keys(draft.tags)),
                        source.id,
                        is_breaking(draft, self.options.breaking_markers),
                    )
                )
            stored = await stories.add_many(fresh, now)
            await stories.commit()
        social = SocialLinks()
        for draft in cleaned:
            social = social.merged(draft.social)
        await self._remember_social(social)
        for article_id in changed:
            if self.on_changed is not None:
                await self.on_changed(article_id)
        for _ in stored:
            self.events.article_stored(source.url)
        if stored:
            log.info("source %s: stored %d items (not posted)", source.url, len(stored))
        return stored

    async def _revised(
        self,
        stories: StoryUnit,
        article_id: int,
        draft: ArticleDraft,
        canonical: str,
        title_key: str,
    ) -> bool:
        """Store a changed headline or summary of the same story; True when it changed.

        Only a match by URL or guid counts: a story matched by its title is
        another outlet's copy, not an edit.
        """
        stored = await stories.article(article_id)
        if stored is None:
            return False
        same_story = canonical_url(stored.url) == canonical or (
            draft.guid is not None and draft.guid == stored.guid
        )
        summary = draft.summary if draft.summary is not None else stored.summary
        if not same_story or (draft.title == stored.title and summary == stored.summary):
            return False
        gate = _REVISION_GATE.get()
        if gate is not None and not gate.allows(stored.title, draft.title):
            log.info("article %d: change at the source held: %r", article_id, draft.title[:80])
            gate.changes.append(
                HeldChange(article_id, stored.title, draft.title, title_key, summary)
            )
            return False
        await stories.revise_text(
            article_id, title=draft.title, title_key=title_key, summary=summary
        )
        log.info("article %d changed at the source: %r", article_id, draft.title[:80])
        return True

    async def record_reading(self, readings: ReadingLog, article_id: int, reads: int) -> bool:
        """Keep a counter reading unless it is implausible (down, or an absurd jump).

        It joins the transaction of `readings`, which the caller commits.
        """
        now = self.clock.now()
        last = await readings.last_reading(article_id)
        if not plausible(last, reads, now, self.options.max_reads_per_hour):
            log.info("article %d: reading %d discarded (last %s)", article_id, reads, last)
            return False
        await readings.add_reading(article_id, reads, now)
        return True

    async def site_social(self) -> SocialLinks:
        """The social channels the site advertises, as last seen on its pages."""
        return await self.storage.site_social()

    def _read(
        self, result: FetchResult, selectors: Selectors, report: PollReport | None = None
    ) -> list[ArticleDraft]:
        rejected: list[tuple[str, str]] = []
        _, drafts = read_document(
            result.content,
            result.text,
            result.url,
            content_type=result.content_type,
            selectors=dict(selectors),
            now=self.clock.now(),
            rejected=rejected,
            doubts=report.doubts if report is not None else None,
        )
        for item, reason in rejected:
            if report is not None:
                self._skip(report, item, reason)
        return drafts

    async def _complete(self, draft: ArticleDraft, selectors: Selectors) -> ArticleDraft:
        """Fill what a feed item lacks (body, tags, counter) from its article page.

        The source's selectors are for its pages, so they apply here too.
        """
        if not self.options.complete_from_page or not _PAGE_WANTED.get():
            return draft
        if draft.body and draft.tags and draft.reads is not None:
            return draft
        try:
            await self._pace(draft.url)
            result = await self.fetch(draft.url)
            page = extract_article(
                result.text, result.url, selectors=dict(selectors), now=self.clock.now()
            )
        except Exception as exc:  # the feed's own text is still worth storing
            log.warning("could not complete %s from its page: %s", draft.url, describe(exc))
            return draft
        try:  # the page's image and fields are as untrusted as the feed's
            return clean_draft(_merge(draft, page), allow_private=self.fetcher.allow_private)
        except SourceError:
            return draft

    async def _pace(self, url: str) -> None:
        """Start page fetches to one host at least `page_interval` apart, in the order asked."""
        gap = self.options.page_interval
        if gap <= 0:
            return
        host = (urlsplit(url).hostname or "").lower()
        now = time.monotonic()
        start = max(now, self._next_page.get(host, 0.0))
        self._next_page[host] = start + gap
        if start > now:
            await asyncio.sleep(start - now)

    async def _remember_social(self, social: SocialLinks) -> None:
        if not social.items():
            return
        known = await self.site_social()
        merged = social.merged(known)
        if merged == known:
            return
        await self.storage.remember_site_social(merged, self.clock.now())

    def _worth_recording(self, source: Source, result: FetchResult) -> bool:
        """A 304 is written only when it changes something, or every `TOUCH_EVERY`.

        An unchanged feed is the common case, so its poll should cost one
        conditional GET and no database write; the source's "last polled"
        time lags by at most `TOUCH_EVERY`.
        """
        if source.failures or not source.primed:
            return True
        if (result.etag, result.last_modified) != (source.etag, source.last_modified):
            return True
        last = source.last_success_at
        return last is None or self.clock.now() - last >= TOUCH_EVERY

    async def _succeeded(self, source: Source, etag: str | None, last_modified: str | None) -> None:
        now = self.clock.now()
        await self.storage.record_success(
            source.id,
            now=now,
            next_poll_at=now + self._interval(0),
            etag=etag,
            last_modified=last_modified,
        )

    async def _revision_gate(
        self, report: PollReport, drafts: Sequence[ArticleDraft]
    ) -> RevisionGate:
        """Decide before storing whether this poll may revise posted stories.

        Counts the drafts whose stored headline or summary differs, so a
        mass edit is held whole rather than after its first few items.
        """
        by_url = await asyncio.to_thread(_cleaned_by_url, drafts)  # seconds for a big feed
        stored = await self.storage.stored_texts(list(by_url))
        changes = sum(
            1
            for url, (title, summary) in stored.items()
            if by_url[url].title != title
            or (by_url[url].summary is not None and by_url[url].summary != summary)
        )
        return plan_revisions(report.doubts, changes, len(drafts))

    def _skip(self, report: PollReport, item: str, problem: Exception | str) -> None:
        """Log one item that could not be stored; the poll goes on without it."""
        reason = problem if isinstance(problem, str) else describe(problem)
        shown = shown_link(item)
        report.skipped.append(f"{shown}: {reason}")
        log.warning("source %s: item %s skipped: %s", report.source, shown, reason)

    async def _partly_failed(self, source: Source, report: PollReport) -> None:
        """Items were skipped: the others are stored, and the source's state says so.

        The validators are not kept, so the next poll reads the document
        again and retries those items; each such poll counts as a failure
        for the alert and `/healthz`, but never slows the source down.
        """
        now = self.clock.now()
        count = len(report.skipped)
        error = f"{count} item{'' if count == 1 else 's'} skipped: {report.skipped[0]}"
        await self.storage.record_partial(
            source.id, now=now, next_poll_at=now + self._interval(0), error=error
        )
        report.status = "partial"
        report.error = error

    async def _failed(self, source: Source, exc: SourceError, report: PollReport) -> None:
        now = self.clock.now()
        delay = self._interval(source.failures + 1)
        failures = await self.storage.record_failure(
            source.id, now=now, next_poll_at=now + delay, error=str(exc)
        )
        report.status = "error"
        report.error = str(exc)
        log.warning(
            "source %s failed (%d in a row): %s; next poll in %ds",
            source.url,
            failures,
            exc,
            delay.total_seconds(),
        )

    def _interval(self, failures: int) -> timedelta:
        """The poll interval with jitter, doubled per failure up to `max_backoff`."""
        base = self.options.poll_interval * (2 ** min(failures, 20))
        base = min(base, max(self.options.max_backoff, self.options.poll_interval))
        spread = base * self.options.jitter
        return timedelta(seconds=base + self.rng.uniform(-spread, spread))


def _cleaned_by_url(drafts: Sequence[ArticleDraft]) -> dict[str, ArticleDraft]:
    """Each draft that passes the item checks, by canonical URL (bad ones are refused later)."""
    by_url: dict[str, ArticleDraft] = {}
    for draft in drafts:
        try:
            cleaned = clean_draft(draft, allow_private=True)
            by_url[canonical_url(cleaned.url)] = cleaned
        except Exception:  # refused later, item by item, with its reason
            continue
    return by_url


def is_breaking(draft: ArticleDraft, markers: Sequence[str]) -> bool:
    """Breaking when the section or a tag is a marker, or the headline opens with one."""
    keys = {fold(marker) for marker in markers if marker.strip()}
    if not keys:
        return False
    labels = [draft.section or "", *draft.tags]
    if any(fold(label) in keys for label in labels):
        return True
    opening = fold(draft.title).split(maxsplit=1)
    return bool(opening) and opening[0].strip(":：-–—|") in keys


def _merge(feed: ArticleDraft, page: ArticleDraft) -> ArticleDraft:
    """The feed's identity (link, guid, time) with the page's richer content."""
    return dataclasses.replace(
        feed,
        title=feed.title or page.title,
        body=feed.body if len(feed.body_text) > len(page.body_text) else page.body,
        section=feed.section or page.section,
        outlet=feed.outlet or page.outlet,
        source_credit=feed.source_credit or page.source_credit,
        author=feed.author or page.author,
        image=feed.image or page.image,
        published_at=feed.published_at or page.published_at,
        tags=feed.tags or page.tags,
        reads=feed.reads if feed.reads is not None else page.reads,
        social=feed.social.merged(page.social),
        most_read=feed.most_read or page.most_read,
    )


def _tag_keys(tags: Sequence[str]) -> list[tuple[str, str]]:
    """Tags paired with their folded key, spelling variants kept once."""
    seen: set[str] = set()
    pairs = []
    for tag in tags:
        name = tag.strip()
        key = stored_key(name)
        if name and key and key not in seen:
            seen.add(key)
            pairs.append((name[:250], key))
    return pairs


def _newest(drafts: Sequence[ArticleDraft], count: int) -> list[ArticleDraft]:
    """The `count` most recently published drafts (feed order when times are missing)."""
    if count <= 0:
        return []

    def recency(pair: tuple[int, ArticleDraft]) -> tuple[float, int]:
        index, draft = pair
        stamp = draft.published_at.timestamp() if draft.published_at else float("-inf")
        return (stamp, -index)

    return [draft for _, draft in sorted(enumerate(drafts), key=recency, reverse=True)[:count]]
