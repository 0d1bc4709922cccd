"""Search on an in-memory fake of its index: what a query finds, and lazy indexing, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from search_fakes import FakeSearchIndex

from bot.core.model import Article
from bot.services.search import INDEX_BATCH, Search

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def story(number: int, title: str, summary: str | None = None, hours_ago: int = 0) -> Article:
    return Article(
        id=number,
        url=f"https://news.example/{number}",
        title=title,
        summary=summary,
        published_at=NOW - timedelta(hours=hours_ago),
    )


@pytest.fixture
def index() -> FakeSearchIndex:
    fake = FakeSearchIndex()
    fake.add(story(1, "الأسد في حديقة الحيوان"))
    fake.add(story(2, "أخبار", summary="الحكومة اليمنية تجتمع في عدن", hours_ago=1))
    fake.add(story(3, "انقطاع الكهرباء في عدن", hours_ago=2))
    return fake


@pytest.mark.parametrize("query", ["اسد", "أسد", "الاسد", "الأسَد"])
async def test_spelling_variants_of_a_word_meet(index: FakeSearchIndex, query: str) -> None:
    page = await Search(index).search(query, limit=5)
    assert [a.id for a in page.articles] == [1]
    assert page.total == 1


async def test_terms_match_word_prefixes_in_titles_and_summaries(index: FakeSearchIndex) -> None:
    page = await Search(index).search("اليمن", limit=5)
    assert [a.id for a in page.articles] == [2]


async def test_every_word_of_the_query_must_match_and_the_newest_comes_first(
    index: FakeSearchIndex,
) -> None:
    service = Search(index)
    assert [a.id for a in (await service.search("عدن", limit=5)).articles] == [2, 3]
    assert [a.id for a in (await service.search("عدن الكهرباء", limit=5)).articles] == [3]


async def test_pages_give_the_total_and_their_offset(index: FakeSearchIndex) -> None:
    page = await Search(index).search("في", limit=1, offset=1)
    assert [a.id for a in page.articles] == [2]
    assert (page.total, page.offset) == (3, 1)


async def test_an_article_an_admin_skipped_is_not_found(index: FakeSearchIndex) -> None:
    index.skipped.add(3)
    assert (await Search(index).search("الكهرباء", limit=5)).total == 0


async def test_a_query_without_words_finds_nothing_and_indexes_nothing(
    index: FakeSearchIndex,
) -> None:
    page = await Search(index).search("؟ ! و", limit=5, offset=10)
    assert (page.articles, page.total, page.offset) == ([], 0, 10)
    assert index.batches == []


async def test_articles_stored_since_the_last_query_are_indexed_before_the_next(
    index: FakeSearchIndex,
) -> None:
    service = Search(index)
    await service.search("عدن", limit=5)
    index.add(story(4, "عدن تستقبل الزوار"))
    assert [a.id for a in (await service.search("عدن", limit=5)).articles] == [4, 2, 3]


async def test_indexing_goes_in_batches_until_nothing_is_left(index: FakeSearchIndex) -> None:
    for number in range(10, 10 + 2 * INDEX_BATCH):
        index.add(story(number, f"خبر رقم {number}"))
    added = await Search(index).refresh()
    assert added == 2 * INDEX_BATCH + 3
    assert index.batches == [INDEX_BATCH, INDEX_BATCH, 3]
    assert await Search(index).refresh() == 0
