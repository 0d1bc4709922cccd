"""The Ingestor on in-memory fakes of its ports: dedup, revisions, readings, polls; no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from ingest_fakes import FakeIngestStore, FakeStories

from bot.adapters.sources.fetch import FetchResult
from bot.core.clock import ManualClock
from bot.core.errors import SourceError
from bot.core.model import (
    Article,
    ArticleDraft,
    DeliveryKind,
    DestinationKind,
    SocialLinks,
    Source,
)
from bot.core.ports import QueuedPost, UnitOfWork
from bot.services.ingest import IngestOptions, Ingestor

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SITE = "https://site.example"
FEED = f"{SITE}/feed"


class FeedFetcher:
    """Serves one RSS document built from (url, title) items, or fails; no network."""

    allow_private = False

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.error: SourceError | None = None
        self.asked: list[str] = []

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        self.asked.append(url)
        if self.error is not None:
            raise self.error
        entries = "".join(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid></item>"
            for link, title in self.items
        )
        text = f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'
        return FetchResult(
            url=url,
            status=200,
            content=text.encode(),
            text=text,
            encoding="utf-8",
            content_type="application/rss+xml",
            etag='"v1"',
            last_modified=None,
            not_modified=False,
            elapsed=0.01,
        )


class Announcer:
    """`on_new`: queues one channel post per new article inside the storing unit."""

    def __init__(self, fail: bool = False) -> None:
        self.announced: list[str] = []
        self.fail = fail

    async def __call__(self, article: Article, source: Source | None, unit: UnitOfWork) -> None:
        post = QueuedPost(
            key=f"new:{article.id}", kind=DeliveryKind.NEW, due=START, article_id=article.id
        )
        await unit.outbox.enqueue(1, post, START)
        if self.fail:
            raise RuntimeError("publishing broke")
        self.announced.append(article.title)


@pytest.fixture
def state() -> FakeStories:
    stories = FakeStories()
    stories.outbox.add(DestinationKind.CHANNEL, "@news")
    return stories


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def fetcher() -> FeedFetcher:
    return FeedFetcher()


def ingestor(
    state: FakeStories,
    clock: ManualClock,
    fetcher: FeedFetcher,
    *,
    announcer: Announcer | None = None,
    changed: list[int] | None = None,
    **options: object,
) -> Ingestor:
    async def on_changed(article_id: int) -> None:
        if changed is not None:
            changed.append(article_id)

    return Ingestor(
        FakeIngestStore(state),
        fetcher,  # type: ignore[arg-type]
        clock,
        IngestOptions(complete_from_page=False, jitter=0.0, **options),  # type: ignore[arg-type]
        on_new=announcer,
        on_changed=on_changed,
        rng=random.Random(1),
    )


def draft(path: str, title: str, **fields: object) -> ArticleDraft:
    return ArticleDraft(url=f"{SITE}/{path}", title=title, **fields)  # type: ignore[arg-type]


async def test_a_new_article_and_its_posts_commit_together(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    announcer = Announcer()
    bot = ingestor(state, clock, fetcher, announcer=announcer)
    article = await bot.store(draft("a/1", "افتتاح مدرسة"), source=None, announce=True)
    assert article is not None
    assert state.titles() == ["افتتاح مدرسة"]
    assert list(state.outbox.keyed(f"new:{article.id}")) == [1]
    assert announcer.announced == ["افتتاح مدرسة"]


async def test_when_queueing_its_posts_fails_the_article_is_not_stored_either(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher, announcer=Announcer(fail=True))
    with pytest.raises(RuntimeError):
        await bot.store(draft("a/1", "خبر"), source=None, announce=True)
    assert state.stored == {}
    assert state.outbox.rows == {}  # the next poll still sees it as new, so no post is lost


async def test_a_story_stored_without_announcing_queues_nothing(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    announcer = Announcer()
    bot = ingestor(state, clock, fetcher, announcer=announcer)
    assert await bot.store(draft("a/1", "خبر"), source=None, announce=False) is not None
    assert state.titles() == ["خبر"]
    assert announcer.announced == []
    assert state.outbox.rows == {}


async def test_the_same_url_with_tracking_parameters_is_one_story(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher, announcer=Announcer())
    assert await bot.store(draft("a/1", "خبر"), source=None, announce=True) is not None
    again = draft("a/1?utm_source=telegram", "خبر")
    assert await bot.store(again, source=None, announce=True) is None
    assert state.titles() == ["خبر"]
    assert len(state.outbox.rows) == 1


async def test_the_same_headline_from_another_url_is_not_stored_again(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    changed: list[int] = []
    bot = ingestor(state, clock, fetcher, changed=changed)
    await bot.store(draft("a/1", "انقطاع الكهرباء في عدن"), source=None, announce=False)
    copy = draft("b/other", "انقطاع الكهرباء في عدن")
    assert await bot.store(copy, source=None, announce=False) is None
    clock.advance(timedelta(days=10).total_seconds())  # even long after
    assert await bot.store(copy, source=None, announce=False) is None
    assert len(state.stored) == 1
    assert changed == []  # another outlet's copy is no edit of the story


async def test_a_changed_headline_at_the_same_url_is_kept_and_edits_the_posts(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    changed: list[int] = []
    bot = ingestor(state, clock, fetcher, changed=changed)
    article = await bot.store(draft("a/1", "عنوان أول"), source=None, announce=False)
    assert article is not None
    assert await bot.store(draft("a/1", "عنوان معدل"), source=None, announce=False) is None
    assert state.titles() == ["عنوان معدل"]
    assert changed == [article.id]
    await bot.store(draft("a/1", "عنوان معدل"), source=None, announce=False)
    assert changed == [article.id]  # unchanged text edits nothing


async def test_readings_that_go_down_or_jump_absurdly_are_discarded(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher, max_reads_per_hour=10_000)
    article = await bot.store(draft("a/1", "خبر", reads=1000), source=None, announce=False)
    assert article is not None
    clock.advance(600)
    await bot.store(draft("a/1", "خبر", reads=900), source=None, announce=False)
    await bot.store(draft("a/1", "خبر", reads=900_000), source=None, announce=False)
    clock.advance(600)
    await bot.store(draft("a/1", "خبر", reads=1200), source=None, announce=False)
    assert [reads for _, reads in state.readings[article.id]] == [1000, 1200]


async def test_a_headline_opening_with_a_breaking_marker_is_breaking(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher)
    urgent = await bot.store(draft("a/1", "عاجل: انفجار"), source=None, announce=False)
    calm = await bot.store(draft("a/2", "افتتاح حديقة"), source=None, announce=False)
    assert urgent is not None
    assert urgent.breaking
    assert calm is not None
    assert not calm.breaking


async def test_the_sites_social_links_are_remembered_and_merged(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher)
    state.social = SocialLinks(youtube="https://youtube.com/@site")
    await bot.store(
        draft("a/1", "خبر", social=SocialLinks(telegram="https://t.me/site")),
        source=None,
        announce=False,
    )
    assert await bot.site_social() == SocialLinks(
        youtube="https://youtube.com/@site", telegram="https://t.me/site"
    )


async def test_a_first_poll_stores_quietly_and_the_next_announces_only_what_is_new(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    announcer = Announcer()
    bot = ingestor(state, clock, fetcher, announcer=announcer)
    source = state.source(FEED, primed=False)
    fetcher.items = [(f"{SITE}/a/{n}", f"خبر رقم {n}") for n in range(3)]
    report = await bot.poll(source)
    assert report.status == "ok"
    assert len(report.new) == 3
    assert announcer.announced == []  # what a source held when added is not posted
    assert state.sources[source.id].primed
    assert state.sources[source.id].etag == '"v1"'
    fetcher.items.insert(0, (f"{SITE}/a/9", "خبر جديد"))
    report = await bot.poll(state.sources[source.id])
    assert [a.title for a in report.new] == ["خبر جديد"]
    assert announcer.announced == ["خبر جديد"]
    assert len(state.stored) == 4


async def test_a_first_poll_whose_batch_fails_stores_its_items_one_by_one(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher)
    state.fail_add_many = True
    source = state.source(FEED, primed=False)
    fetcher.items = [(f"{SITE}/a/{n}", f"خبر رقم {n}") for n in range(3)]
    report = await bot.poll(source)
    assert report.status == "ok"
    assert sorted(state.titles()) == [f"خبر رقم {n}" for n in range(3)]


async def test_a_failing_source_backs_off_exponentially_up_to_the_limit(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher, poll_interval=60.0, max_backoff=300.0)
    source = state.source(FEED)
    fetcher.error = SourceError("the server answered 503", url=FEED)
    delays = []
    for _ in range(4):
        report = await bot.poll(state.sources[source.id])
        assert report.status == "error"
        assert "503" in str(report.error)
        after = state.sources[source.id]
        assert after.next_poll_at is not None
        delays.append((after.next_poll_at - START).total_seconds())
    assert delays == [120.0, 240.0, 300.0, 300.0]
    assert state.sources[source.id].failures == 4
    fetcher.error = None
    assert (await bot.poll(state.sources[source.id])).status == "ok"
    assert state.sources[source.id].failures == 0


async def test_an_item_that_cannot_be_stored_costs_only_itself(
    state: FakeStories, clock: ManualClock, fetcher: FeedFetcher
) -> None:
    bot = ingestor(state, clock, fetcher, announcer=Announcer())
    source = state.source(FEED)
    fetcher.items = [("javascript:alert(1)", "رابط خبيث"), (f"{SITE}/a/2", "خبر سليم")]
    report = await bot.poll(source)
    assert report.status == "partial"
    assert [a.title for a in report.new] == ["خبر سليم"]
    assert state.sources[source.id].failures == 1
    assert state.sources[source.id].etag is None  # read again next time, to retry the item
