"""Tag keys without the article: stored tags are merged by migration 0009 (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.adapters.storage.database import Database, alembic_config
from bot.core.tag_match import stored_key

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# (name, key as stored before 0009); the first two are one tag once the article is dropped.
OLD_TAGS = [("الدوري", "الدوري"), ("دوري", "دوري"), ("اليمن", "اليمن")]


def _to(revision: str):  # type: ignore[no-untyped-def]
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    return run


async def _seed_before_0009(database: Database) -> None:
    async with database.engine.begin() as conn:
        await conn.run_sync(_to("0008"))
        for number, (name, key) in enumerate(OLD_TAGS, start=1):
            await conn.execute(
                text("INSERT INTO tags (id, name, key) VALUES (:id, :name, :key)"),
                {"id": number, "name": name, "key": key},
            )
        for number in (1, 2):
            url = f"https://news.example/{number}"
            await conn.execute(
                text(
                    "INSERT INTO articles (id, canonical_url, url, title, title_key, body, "
                    "first_seen_at, breaking, skipped) VALUES "
                    "(:id, :canonical, :url, :title, :key, '', :now, false, false)"
                ),
                {"id": number, "canonical": url, "url": url, "title": url, "key": url, "now": NOW},
            )
            await conn.execute(
                text(
                    "INSERT INTO subscribers (id, user_id, chat_id, language, state, digest, "
                    "digest_hour, created_at) "
                    "VALUES (:id, :user, :chat, 'ar', 'active', 'off', 21, :now)"
                ),
                {"id": number, "user": number, "chat": number, "now": NOW},
            )
        links = [(1, 1), (1, 2), (2, 2), (2, 3)]  # article 1 carries both spellings
        for article_id, tag_id in links:
            await conn.execute(
                text("INSERT INTO article_tags (article_id, tag_id, position) VALUES (:a, :t, 0)"),
                {"a": article_id, "t": tag_id},
            )
        follows = [(1, 1), (2, 1), (2, 2)]  # reader 2 followed both spellings
        for subscriber_id, tag_id in follows:
            await conn.execute(
                text("INSERT INTO subscriptions (subscriber_id, tag_id) VALUES (:s, :t)"),
                {"s": subscriber_id, "t": tag_id},
            )


async def test_spellings_with_and_without_the_article_become_one_tag(database_url: str) -> None:
    database = Database(database_url)
    try:
        await _seed_before_0009(database)
        await database.upgrade()
        async with database.engine.connect() as conn:
            tags = (await conn.execute(text("SELECT id, name, key FROM tags ORDER BY id"))).all()
            carried = (
                await conn.execute(
                    text("SELECT article_id, tag_id FROM article_tags ORDER BY article_id, tag_id")
                )
            ).all()
            followed = (
                await conn.execute(
                    text("SELECT subscriber_id, tag_id FROM subscriptions ORDER BY 1, 2")
                )
            ).all()
    finally:
        await database.close()
    assert [tuple(t) for t in tags] == [
        (1, "الدوري", stored_key("دوري")),
        (3, "اليمن", stored_key("اليمن")),
    ]
    assert stored_key("الدوري") == stored_key("دوري") == "دوري"
    assert [tuple(c) for c in carried] == [(1, 1), (2, 1), (2, 3)]
    assert [tuple(f) for f in followed] == [(1, 1), (2, 1)]
