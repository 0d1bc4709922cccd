"""Storage on SQLite and PostgreSQL: the same specification for both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.sources import SourceRepository
from bot.adapters.storage.tables import Base
from bot.core.model import ArticleDraft, DeliveryKind, DeliveryState, DestinationKind, Platform

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def _article(db: Database, url: str = "https://news.example/article/1") -> int:
    async with db.session() as session:
        article = await ArticleRepository(session).add(
            ArticleDraft(url=url, title="عنوان الخبر", body=("فقرة أولى.",), tags=("حلب",)),
            canonical_url=url,
            title_key="عنوان الخبر",
            tag_keys=[("حلب", "حلب")],
            now=NOW,
            source_id=None,
            breaking=False,
        )
        await session.commit()
        return article.id


async def _channel(db: Database, address: str = "@news") -> int:
    async with db.session() as session:
        destination = await DestinationRepository(session).ensure(
            Platform.TELEGRAM, DestinationKind.CHANNEL, address, NOW
        )
        await session.commit()
        return destination.id


async def test_migrations_create_exactly_the_model_schema(db: Database) -> None:
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert set(Base.metadata.tables) <= tables


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.upgrade()
    await db.ping()


async def test_an_article_is_queued_once_per_destination(db: Database) -> None:
    article_id = await _article(db)
    channel = await _channel(db)
    async with db.session() as session:
        outbox = OutboxRepository(session)
        first = await outbox.enqueue(
            key=f"new:{article_id}",
            destination_id=channel,
            kind=DeliveryKind.NEW,
            due=NOW,
            now=NOW,
            article_id=article_id,
        )
        second = await outbox.enqueue(
            key=f"new:{article_id}",
            destination_id=channel,
            kind=DeliveryKind.NEW,
            due=NOW,
            now=NOW,
            article_id=article_id,
        )
        await session.commit()
        assert (first, second) == (True, False)
        assert await outbox.counts() == {"pending": 1}


async def test_claim_takes_due_rows_once_and_marks_them_sending(db: Database) -> None:
    article_id = await _article(db)
    channel = await _channel(db)
    later = await _channel(db, "@later")
    async with db.session() as session:
        outbox = OutboxRepository(session)
        await outbox.enqueue(
            key=f"new:{article_id}",
            destination_id=channel,
            kind=DeliveryKind.NEW,
            due=NOW,
            now=NOW,
            article_id=article_id,
        )
        await outbox.enqueue(
            key=f"new:{article_id}",
            destination_id=later,
            kind=DeliveryKind.NEW,
            due=NOW + timedelta(minutes=5),
            now=NOW,
            article_id=article_id,
        )
        await session.commit()
    async with db.session() as session:
        claimed = await OutboxRepository(session).claim(
            now=NOW, limit=10, worker="a", skip_locked=db.is_postgres
        )
        await session.commit()
    async with db.session() as session:
        again = await OutboxRepository(session).claim(
            now=NOW, limit=10, worker="b", skip_locked=db.is_postgres
        )
        await session.commit()
    assert [d.destination_id for d in claimed] == [channel]
    assert claimed[0].state is DeliveryState.SENDING
    assert claimed[0].attempts == 1
    assert again == []


async def test_a_row_left_sending_by_a_crash_is_released_after_the_lease(db: Database) -> None:
    article_id = await _article(db)
    channel = await _channel(db)
    async with db.session() as session:
        outbox = OutboxRepository(session)
        await outbox.enqueue(
            key=f"new:{article_id}",
            destination_id=channel,
            kind=DeliveryKind.NEW,
            due=NOW,
            now=NOW,
            article_id=article_id,
        )
        await outbox.claim(now=NOW, limit=10, worker="crashed", skip_locked=db.is_postgres)
        await session.commit()
    async with db.session() as session:
        outbox = OutboxRepository(session)
        assert await outbox.release_stale(older_than=NOW - timedelta(minutes=2)) == 0
        assert await outbox.release_stale(older_than=NOW + timedelta(seconds=1)) == 1
        await session.commit()
        assert await outbox.counts() == {"pending": 1}


async def test_spelling_variants_of_a_tag_are_one_tag(db: Database) -> None:
    async with db.session() as session:
        articles = ArticleRepository(session)
        for number, spelling in enumerate(("الأسد", "الاسد")):
            url = f"https://news.example/article/{number}"
            await articles.add(
                ArticleDraft(url=url, title=f"خبر {number}"),
                canonical_url=url,
                title_key=f"خبر {number}",
                tag_keys=[(spelling, "الاسد")],
                now=NOW,
                source_id=None,
                breaking=False,
            )
        await session.commit()
        first = await articles.by_url("https://news.example/article/0")
        second = await articles.by_url("https://news.example/article/1")
    assert first is not None
    assert second is not None
    assert first.tags == second.tags == ("الأسد",)


async def test_source_failures_count_up_and_success_resets(db: Database) -> None:
    async with db.session() as session:
        sources = SourceRepository(session)
        source = await sources.ensure("https://news.example/rss", NOW)
        assert (
            await sources.record_failure(source.id, now=NOW, next_poll_at=NOW, error="HTTP 500")
            == 1
        )
        assert (
            await sources.record_failure(source.id, now=NOW, next_poll_at=NOW, error="HTTP 500")
            == 2
        )
        await sources.record_success(
            source.id, now=NOW, next_poll_at=NOW, etag='"v2"', last_modified=None
        )
        await session.commit()
        fresh = await sources.get(source.id)
    assert fresh is not None
    assert (fresh.failures, fresh.etag, fresh.primed, fresh.last_error) == (0, '"v2"', True, None)


def test_migrations_form_one_line_with_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    from bot.adapters.storage.database import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1
