"""The author a page names is stored with its article and read back (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database, alembic_config
from bot.core.ingest_ports import NewStory
from bot.core.model import ArticleDraft

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _new(url: str, author: str | None) -> NewStory:
    draft = ArticleDraft(url=url, title=f"عنوان {url[-1]}", body=("فقرة.",), author=author)
    return NewStory(draft, url, f"عنوان {url[-1]}", (), None, False)


async def test_the_author_comes_back_with_the_article(db: Database) -> None:
    async with db.session() as session:
        articles = ArticleRepository(session)
        one = await articles.add(
            ArticleDraft(url="https://news.example/a/1", title="عنوان", author="محمد علي"),
            canonical_url="https://news.example/a/1",
            title_key="عنوان",
            tag_keys=[],
            now=NOW,
            source_id=None,
            breaking=False,
        )
        batch = await articles.add_many(
            [
                _new("https://news.example/a/2", "Jane Doe, John Roe"),
                _new("https://news.example/a/3", None),
            ],
            now=NOW,
        )
        await session.commit()
    assert one.author == "محمد علي"
    async with db.session() as session:
        articles = ArticleRepository(session)
        read = [await articles.get(i) for i in (one.id, batch[0].id, batch[1].id)]
        by_url = await articles.by_url("https://news.example/a/2")
    assert [a.author if a else "missing" for a in read] == ["محمد علي", "Jane Doe, John Roe", None]
    assert by_url is not None
    assert by_url.author == "Jane Doe, John Roe"


async def test_a_long_or_blank_byline_is_stored_as_one_line_that_fits(db: Database) -> None:
    long = "Reporter\n" + "x" * 400
    async with db.session() as session:
        stored = await ArticleRepository(session).add_many(
            [_new("https://news.example/b/1", long), _new("https://news.example/b/2", "  \n ")],
            now=NOW,
        )
        await session.commit()
    async with db.session() as session:
        articles = ArticleRepository(session)
        first, second = [await articles.get(a.id) for a in stored]
    assert first is not None
    assert first.author is not None
    assert first.author.startswith("Reporter xxx")
    assert len(first.author) == 256
    assert second is not None
    assert second.author is None


def _to(revision: str):  # type: ignore[no-untyped-def]
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    return run


async def test_articles_stored_before_the_author_column_have_none(database_url: str) -> None:
    database = Database(database_url)
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(_to("0007"))
            await conn.execute(
                text(
                    "INSERT INTO articles (canonical_url, url, title, title_key, body, "
                    "first_seen_at, breaking, skipped) VALUES ('https://news.example/old', "
                    "'https://news.example/old', 'old', 'old', '', :now, false, false)"
                ),
                {"now": NOW},
            )
        await database.upgrade()
        async with database.session() as session:
            old = await ArticleRepository(session).by_url("https://news.example/old")
        assert old is not None
        assert old.title == "old"
        assert old.author is None
    finally:
        await database.close()
