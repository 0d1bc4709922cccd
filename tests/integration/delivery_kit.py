"""Helpers for delivery tests: an app built against the fake Bot API and fake X API.

Articles are stored directly (no polling), queued through the outbox, and
delivered by the real worker through python-telegram-bot and tweepy over HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.adapters.settings import load_settings
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.subscribers import SubscriberRepository
from bot.app import App, build
from bot.core.model import Article, ArticleDraft, Delivery, DeliveryKind, DeliveryState
from bot.core.ports import Clock

TOKEN = "123456789:TEST-token_for_the_fake"
ADMIN = 900001
_serial = itertools.count(1)


def make_app(
    database_url: str,
    telegram_url: str,
    x_url: str | None = None,
    *,
    clock: Clock | None = None,
    **env: str,
) -> App:
    """An app posting to the fakes; `env` adds or overrides settings."""
    values = {
        "NASHIR_DATABASE_URL": database_url,
        "NASHIR_MIN_GAP": "0",
        "NASHIR_ADMIN_IDS": str(ADMIN),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
    }
    if x_url is not None:
        values.update(
            X_API_URL=x_url,
            X_CONSUMER_KEY="ck",
            X_CONSUMER_SECRET="cs",
            X_ACCESS_TOKEN="at",
            X_ACCESS_TOKEN_SECRET="as",
        )
    values.update(env)
    return build(load_settings(values, env_file=None), polling=False, clock=clock)


async def add_article(
    app: App,
    title: str | None = None,
    *,
    breaking: bool = False,
    image: str | None = None,
    summary: str | None = None,
    tags: Sequence[str] = (),
) -> Article:
    """Store an article as ingest would, published now."""
    number = next(_serial)
    title = title or f"خبر رقم {number} عن الطقس في صنعاء"
    draft = ArticleDraft(
        url=f"https://news.example/article/{number}",
        title=title,
        body=(summary or f"تفاصيل الخبر رقم {number}.",),
        summary=summary or f"ملخص الخبر رقم {number}.",
        image=image,
        published_at=app.clock.now(),
    )
    async with app.db.session() as session:
        article = await ArticleRepository(session).add(
            draft,
            canonical_url=draft.url,
            title_key=f"key-{number}-{title}",
            tag_keys=[(tag, tag) for tag in tags],
            now=app.clock.now(),
            source_id=None,
            breaking=breaking,
        )
        await session.commit()
    return article


async def publish(app: App, **kwargs: Any) -> Article:
    """Store an article and queue it for every broadcast destination."""
    article = await add_article(app, **kwargs)
    await app.ensure_destinations()
    await app.publishing.announce(article)
    return article


async def subscribe(app: App, user_ids: Sequence[int]) -> None:
    """Subscribers as /start makes them (their private chats become destinations)."""
    now = app.clock.now()
    async with app.db.session() as session:
        subscribers = SubscriberRepository(session)
        for user_id in user_ids:
            await subscribers.add_or_reactivate(user_id, user_id, "ar", now)
        await session.commit()


async def deliveries(app: App, article_id: int) -> list[Delivery]:
    """Every outbox row of one article, oldest first."""
    async with app.db.session() as session:
        return await OutboxRepository(session).for_article(article_id)


async def counts(app: App) -> dict[str, int]:
    """Outbox rows by state."""
    async with app.db.session() as session:
        return await OutboxRepository(session).counts()


async def drain(app: App, *, rounds: int = 50) -> None:
    """Run the worker until nothing is due right now."""
    for _ in range(rounds):
        report = await app.worker.drain()
        if report.claimed == 0:
            return


def now() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)


def states(rows: Sequence[Delivery]) -> list[DeliveryState]:
    """The states of some rows, in order."""
    return [row.state for row in rows]


BROADCAST = DeliveryKind.BROADCAST


async def drain_until_settled(app: App, *, within: float = 10.0) -> dict[str, int]:
    """Run the worker, waiting out rescheduled rows, until none is pending or sending."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        await drain(app)
        state = await counts(app)
        if not state.get("pending") and not state.get("sending"):
            return state
        if loop.time() > deadline:
            raise AssertionError(f"outbox not settled after {within}s: {state}")
        await asyncio.sleep(0.05)
