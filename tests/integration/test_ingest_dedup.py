"""One story reached many ways is stored once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.sources.fetch import Fetcher
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.ingest_store import SqlIngestStore
from bot.adapters.storage.search_index import SqlSearchIndex
from bot.core.clock import ManualClock
from bot.core.model import ArticleDraft
from bot.services.ingest import IngestOptions, Ingestor
from bot.services.search import Search

BASE = "https://www.yemen-news.example"


def _ingestor(db: Database) -> Ingestor:
    fetcher = Fetcher.create(version="test", homepage="tests")
    return Ingestor(
        SqlIngestStore(db),
        fetcher,
        ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC)),
        IngestOptions(complete_from_page=False),
    )


async def _count(db: Database) -> int:
    async with db.session() as session:
        return await ArticleRepository(session).count()


async def test_tracking_parameters_mobile_paths_scheme_and_slashes_are_one_story(
    db: Database,
) -> None:
    ingestor = _ingestor(db)
    urls = [
        f"{BASE}/article/12345",
        f"{BASE}/mobile/article/12345",
        f"{BASE}/article/12345/?utm_source=facebook&fbclid=abc",
        "http://yemen-news.example/article/12345",
    ]
    stored = [
        await ingestor.store(ArticleDraft(url=url, title=f"عنوان {n}"), source=None, announce=False)
        for n, url in enumerate(urls)
    ]
    await ingestor.fetcher.aclose()
    assert stored[0] is not None
    assert stored[1:] == [None, None, None]
    assert await _count(db) == 1


async def test_the_same_guid_is_one_story(db: Database) -> None:
    ingestor = _ingestor(db)
    first = await ingestor.store(
        ArticleDraft(url=f"{BASE}/article/1", title="خبر أول", guid="site-1"),
        source=None,
        announce=False,
    )
    second = await ingestor.store(
        ArticleDraft(url=f"{BASE}/news/other-path", title="خبر بعنوان آخر", guid="site-1"),
        source=None,
        announce=False,
    )
    await ingestor.fetcher.aclose()
    assert first is not None
    assert second is None


async def test_a_story_republished_by_two_outlets_under_one_title_is_one_story(
    db: Database,
) -> None:
    ingestor = _ingestor(db)
    first = await ingestor.store(
        ArticleDraft(
            url=f"{BASE}/article/7", title="تفاصيل إنقاذ روسيا لبشار الأسد", outlet="مساحة نت"
        ),
        source=None,
        announce=False,
    )
    # Same headline, another outlet, spelled with a plain alef and a tatweel.
    second = await ingestor.store(
        ArticleDraft(
            url=f"{BASE}/article/8", title="تفاصيل انقاذ روسيـا لبشار الاسد", outlet="نيوز لاين"
        ),
        source=None,
        announce=False,
    )
    await ingestor.fetcher.aclose()
    assert first is not None
    assert second is None
    assert await _count(db) == 1


async def test_a_known_story_refreshes_its_read_counter(db: Database) -> None:
    ingestor = _ingestor(db)
    article = await ingestor.store(
        ArticleDraft(url=f"{BASE}/article/9", title="خبر", reads=649),
        source=None,
        announce=False,
    )
    await ingestor.store(
        ArticleDraft(url=f"{BASE}/mobile/article/9", title="خبر", reads=700),
        source=None,
        announce=False,
    )
    await ingestor.fetcher.aclose()
    assert article is not None
    async with db.session() as session:
        refreshed = await ArticleRepository(session).get(article.id)
    assert refreshed is not None
    assert refreshed.reads == 700


async def test_a_headline_changed_at_the_source_is_searched_by_its_new_words(
    db: Database,
) -> None:
    ingestor = _ingestor(db)
    url = f"{BASE}/article/777"
    await ingestor.store(
        ArticleDraft(url=url, title="انقطاع الكهرباء في عدن"), source=None, announce=False
    )
    search = Search(SqlSearchIndex(db))
    assert (await search.search("الكهرباء", limit=5)).total == 1
    await ingestor.store(
        ArticleDraft(url=url, title="عودة التيار إلى عدن"), source=None, announce=False
    )
    await ingestor.fetcher.aclose()
    assert (await search.search("الكهرباء", limit=5)).total == 0
    found = await search.search("التيار", limit=5)
    assert [article.title for article in found.articles] == ["عودة التيار إلى عدن"]
