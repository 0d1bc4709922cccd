"""Specification of the bundled demo site: pages the extractor reads, a feed, growing counters."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict

from bot.adapters.sources.feeds import parse_feed
from bot.adapters.sources.pages import extract_article
from sandbox.demo_site import DEMO_JPEG, DemoSite, load_demo_articles

START = datetime(2025, 3, 2, 18, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def site(clock: FakeClock) -> DemoSite:
    return DemoSite(clock=clock, seed=7, initially_published=8)


@pytest.fixture
async def server(site: DemoSite) -> AsyncIterator[TestServer]:
    async with TestServer(site.app()) as test_server:
        yield test_server


async def get(
    server: TestServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, CIMultiDict[str], bytes]:
    async with (
        ClientSession() as session,
        session.get(server.make_url(path), headers=headers) as response,
    ):
        return response.status, CIMultiDict(response.headers), await response.read()


# -- the bundled stories -----------------------------------------------------


def test_bundled_catalogue_has_twelve_varied_stories() -> None:
    articles = load_demo_articles().articles

    assert len(articles) == 12
    assert len({a.id for a in articles}) == 12
    assert all(3 <= len(a.paragraphs) <= 6 for a in articles)
    assert all(2 <= len(a.tags) <= 6 for a in articles)
    assert all(a.credit and a.outlet and a.section and a.reads > 0 for a in articles)
    assert all(a.published_at.tzinfo is not None for a in articles)
    breaking = [a for a in articles if a.breaking]
    assert len(breaking) in (1, 2)
    assert all(a.section == "عاجل" for a in breaking)
    tags = [tag for a in articles for tag in a.tags]
    assert any("\u0640" in tag for tag in tags)  # tatweel
    assert any(" " in tag for tag in tags)
    assert any(count >= 3 for count in Counter(tags).values())  # a tag worth following


# -- pages -------------------------------------------------------------------


async def test_every_page_extracts_cleanly_without_selectors(
    site: DemoSite, server: TestServer
) -> None:
    site.publish_all()

    for article in site.published():
        url = str(server.make_url(article.path))
        status, _, body = await get(server, article.path)
        assert status == 200
        draft = extract_article(body.decode("utf-8"), url)

        assert draft.title == article.title
        assert draft.section == article.section
        assert draft.reads == site.reads(article.id)
        assert draft.body == article.paragraphs
        assert draft.tags == article.tags
        assert draft.outlet == article.outlet
        assert draft.source_credit == article.credit
        assert draft.image == str(server.make_url(article.image_path))
        assert draft.published_at == article.published_at
        assert draft.social == site.social_links
        assert len(draft.most_read) == 10


async def test_most_read_block_ranks_by_current_counts(site: DemoSite, server: TestServer) -> None:
    site.publish_all()
    top = max(site.published(), key=lambda a: a.reads)

    _, _, body = await get(server, "/article/70101")
    draft = extract_article(body.decode(), str(server.make_url("/article/70101")))

    first = draft.most_read[0]
    assert first.outlet == top.outlet
    assert first.reads == top.reads
    assert first.url == str(server.make_url(top.path))
    assert top.title.startswith(first.title)
    reads = [entry.reads or 0 for entry in draft.most_read]
    assert reads == sorted(reads, reverse=True)


async def test_follow_links_use_the_configured_channel_and_handle(clock: FakeClock) -> None:
    site = DemoSite(clock=clock, channel="my_channel", x_handle="my_handle")
    site.publish_next()
    async with TestServer(site.app()) as server:
        url = str(server.make_url(site.published()[0].path))
        _, _, body = await get(server, site.published()[0].path)

    social = extract_article(body.decode(), url).social
    assert social.telegram == "https://t.me/my_channel"
    assert social.x == "https://x.com/my_handle"
    assert social.youtube is not None
    assert social.facebook is not None
    assert social.google_news is not None
    assert social.google_news.startswith("https://news.google.com/")


async def test_unpublished_and_unknown_articles_are_not_found(
    site: DemoSite, server: TestServer
) -> None:
    waiting = load_demo_articles().articles[-1]

    assert (await get(server, waiting.path))[0] == 404
    assert (await get(server, "/mobile/article/1"))[0] == 404


async def test_images_are_jpegs(site: DemoSite, server: TestServer) -> None:
    status, headers, body = await get(server, "/images/70101.jpg")

    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert body == DEMO_JPEG
    assert body.startswith(b"\xff\xd8\xff")
    assert body.endswith(b"\xff\xd9")
    assert (await get(server, "/images/1.jpg"))[0] == 404


# -- the feed ----------------------------------------------------------------


async def test_feed_lists_published_stories_newest_first(
    site: DemoSite, server: TestServer
) -> None:
    status, headers, body = await get(server, "/rss.xml")
    assert status == 200
    assert headers["Content-Type"].startswith("application/rss+xml")
    assert len(parse_feed(body, str(server.make_url("/rss.xml")))) == 8

    site.publish_all()
    _, _, body = await get(server, "/rss.xml")
    drafts = parse_feed(body, str(server.make_url("/rss.xml")))

    assert len(drafts) == 12
    times = [d.published_at for d in drafts]
    assert all(t is not None for t in times)
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    first = drafts[0]
    assert first.body
    assert first.tags
    assert first.image
    assert not any(p.startswith("المصدر") for d in drafts for p in d.body)


async def test_feed_answers_304_until_a_story_is_published(
    site: DemoSite, server: TestServer, clock: FakeClock
) -> None:
    _, headers, _ = await get(server, "/rss.xml")
    etag, last_modified = headers["ETag"], headers["Last-Modified"]

    assert (await get(server, "/rss.xml", {"If-None-Match": etag}))[0] == 304
    assert (await get(server, "/rss.xml", {"If-Modified-Since": last_modified}))[0] == 304
    site.tick(5)  # counters are not in the feed: still unchanged
    assert (await get(server, "/rss.xml", {"If-None-Match": etag}))[0] == 304

    clock.advance(timedelta(minutes=3))
    site.publish_next()
    status, new_headers, _ = await get(server, "/rss.xml", {"If-None-Match": etag})
    assert status == 200
    assert new_headers["ETag"] != etag
    assert (await get(server, "/rss.xml", {"If-Modified-Since": last_modified}))[0] == 200


async def test_stale_validators_get_the_full_feed(server: TestServer) -> None:
    old = format_datetime(START - timedelta(days=1), usegmt=True)

    assert (await get(server, "/rss.xml", {"If-None-Match": '"stale"'}))[0] == 200
    assert (await get(server, "/rss.xml", {"If-Modified-Since": old}))[0] == 200


# -- publishing and counters -------------------------------------------------


def test_by_default_nothing_is_published_so_every_story_arrives_during_a_demo() -> None:
    site = DemoSite()

    assert site.published() == []
    assert site.remaining == site.total == 12
    assert site.social_links.telegram == "https://t.me/nashir_demo"
    assert site.social_links.x == "https://x.com/nashir_demo"


def test_stories_are_revealed_one_by_one_dated_by_the_clock(
    site: DemoSite, clock: FakeClock
) -> None:
    assert len(site.published()) == 8
    assert site.published()[0].published_at == START  # newest initial story is "now"

    clock.advance(timedelta(minutes=10))
    revealed = site.publish_next()

    assert revealed is not None
    assert revealed.published_at == START + timedelta(minutes=10)
    assert site.published()[0].id == revealed.id
    assert len(site.publish_all()) == 3
    assert site.publish_next() is None
    assert site.remaining == 0
    assert site.total == 12


def test_ticks_grow_counters_deterministically_for_a_seed(clock: FakeClock) -> None:
    first, second, other = (
        DemoSite(clock=clock, seed=seed, initially_published=8) for seed in (1, 1, 2)
    )
    story = first.published()[0].id
    before = first.reads(story)

    for demo in (first, second, other):
        demo.tick(3)

    assert first.reads(story) > before
    assert first.reads(story) == second.reads(story)
    assert [first.reads(a.id) for a in first.published()] != [
        other.reads(a.id) for a in other.published()
    ]


async def test_page_views_and_elapsed_time_grow_counters(clock: FakeClock) -> None:
    site = DemoSite(clock=clock, tick_interval=timedelta(minutes=1), initially_published=1)
    story = site.published()[0]
    async with TestServer(site.app()) as server:
        await get(server, story.path)
        after_view = site.reads(story.id)
        clock.advance(timedelta(minutes=5))
        await get(server, story.path)

    assert after_view == story.reads + 1
    assert site.reads(story.id) >= after_view + 1 + 5 * story.rate


def test_waiting_stories_do_not_grow(site: DemoSite) -> None:
    waiting = load_demo_articles().articles[-1]

    site.tick(10)

    assert site.reads(waiting.id) == waiting.reads
