"""Telegram's rules, shown through python-telegram-bot against the fake Bot API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from delivery_kit import (
    ADMIN,
    counts,
    deliveries,
    drain,
    drain_until_settled,
    make_app,
    publish,
    subscribe,
)
from sqlalchemy import select

from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.tables import SubscriberRow
from bot.app import App
from bot.core.clock import ManualClock
from bot.core.model import DeliveryState, DestinationKind, DestinationState
from bot.services.fanout import broadcast
from sandbox import FakeTelegram, ServerThread

Factory = Callable[..., App]


@pytest.fixture
async def app_factory(
    database_url: str, telegram_server: ServerThread, fake_telegram: FakeTelegram
) -> AsyncIterator[Factory]:
    fake_telegram.add_user(ADMIN, "Admin")
    built: list[App] = []

    def factory(*, clock: Any = None, **env: str) -> App:
        app = make_app(database_url, telegram_server.url, clock=clock, **env)
        built.append(app)
        return app

    yield factory
    for app in built:
        await app.stop()


def _admin_texts(fake: FakeTelegram) -> list[str]:
    return [str(m.get("text", "")) for m in fake.messages(ADMIN)]


def _sends_to(fake: FakeTelegram, chat: int | str) -> list[Any]:
    return [
        c
        for c in fake.calls_to("sendMessage") + fake.calls_to("sendPhoto")
        if c.params.get("chat_id") == chat
    ]


async def _subscriber_state(app: App, user_id: int) -> str:
    async with app.db.session() as session:
        state = await session.scalar(
            select(SubscriberRow.state).where(SubscriberRow.user_id == user_id)
        )
    return str(state)


async def _destination(app: App, address: str) -> Any:
    async with app.db.session() as session:
        found = [d for d in await DestinationRepository(session).all() if d.address == address]
    return found[0] if found else None


async def test_flood_wait_is_honoured_to_the_second(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@news")
    fake_telegram.fault("flood", chat_id=channel, retry_after=2)
    app = app_factory(TELEGRAM_CHANNELS="@news")
    await app.start()
    article = await publish(app)

    await drain(app)
    [row] = await deliveries(app, article.id)
    assert row.state is DeliveryState.PENDING
    assert row.attempts == 0  # waiting out a flood is not a failed attempt
    assert "0:00:02" in (row.last_error or "")

    await drain_until_settled(app)
    calls = _sends_to(fake_telegram, "@news")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 2.0
    assert fake_telegram.early_retries == 0
    assert len(fake_telegram.messages(channel)) == 1


async def test_a_flood_wait_is_due_exactly_retry_after_later(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    clock = ManualClock()
    channel = fake_telegram.add_channel("@news")
    fake_telegram.fault("flood", chat_id=channel, retry_after=7)
    app = app_factory(TELEGRAM_CHANNELS="@news", clock=clock)
    await app.start()
    article = await publish(app)
    sent_at = clock.now()

    await drain(app)
    clock.advance(6.9)
    await drain(app)

    [row] = await deliveries(app, article.id)
    assert row.next_attempt_at == sent_at + timedelta(seconds=7)
    assert len(_sends_to(fake_telegram, "@news")) == 1  # nothing tried before the 7 s


async def test_network_errors_back_off_with_jitter_then_fail_and_alert_admins(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    clock = ManualClock()
    channel = fake_telegram.add_channel("@news")
    fake_telegram.fault("server_error", chat_id=channel, times=None, status=502)
    app = app_factory(
        TELEGRAM_CHANNELS="@news", NASHIR_MAX_ATTEMPTS="4", NASHIR_BACKOFF_BASE="10", clock=clock
    )
    await app.start()
    article = await publish(app)

    waits = []
    for _ in range(4):
        before = clock.now()
        await drain(app)
        [row] = await deliveries(app, article.id)
        if row.state is not DeliveryState.PENDING:
            break
        assert row.next_attempt_at is not None
        waits.append((row.next_attempt_at - before).total_seconds())
        clock.set(row.next_attempt_at)

    assert row.state is DeliveryState.FAILED
    assert row.attempts == 4
    assert len(_sends_to(fake_telegram, "@news")) == 4
    # exponential: each wait within [ceiling/2, ceiling] of 10, 20, 40 s
    for wait, ceiling in zip(waits, (10, 20, 40), strict=True):
        assert ceiling / 2 <= wait <= ceiling
    [alert] = [t for t in _admin_texts(fake_telegram) if "failed after 4 attempts" in t]
    assert "@news" in alert


@pytest.mark.parametrize("fault", ["blocked", "deactivated"])
async def test_blocked_subscriber_is_deactivated_and_not_retried(
    app_factory: Factory, fake_telegram: FakeTelegram, fault: Any
) -> None:
    reader, gone = 700001, 700002
    fake_telegram.add_user(reader)
    fake_telegram.add_user(gone)
    fake_telegram.fault(fault, chat_id=gone, times=None)
    app = app_factory()
    await app.start()
    await subscribe(app, [reader, gone])

    await broadcast(app.db, app.clock, "أهلاً بكم")
    await drain_until_settled(app)
    await broadcast(app.db, app.clock, "رسالة ثانية")
    await drain_until_settled(app)

    assert len(fake_telegram.messages(reader)) == 2
    assert len(_sends_to(fake_telegram, gone)) == 1  # tried once, never again
    assert await _subscriber_state(app, gone) == "blocked"
    assert await _subscriber_state(app, reader) == "active"
    destination = await _destination(app, str(gone))
    assert destination.state is DestinationState.DISABLED
    assert not [t for t in _admin_texts(fake_telegram) if str(gone) in t]  # no alert for users
    assert (await counts(app)).get("failed") == 1


@pytest.mark.parametrize("fault", ["chat_not_found", "kicked"])
async def test_dead_channel_is_disabled_and_admins_alerted(
    app_factory: Factory, fake_telegram: FakeTelegram, fault: Any
) -> None:
    live = fake_telegram.add_channel("@live")
    dead = fake_telegram.add_channel("@dead")
    fake_telegram.fault(fault, chat_id=dead, times=None)
    app = app_factory(TELEGRAM_CHANNELS="@live,@dead")
    await app.start()

    await publish(app)
    await drain_until_settled(app)
    await publish(app)
    await drain_until_settled(app)

    assert len(fake_telegram.messages(live)) == 2
    assert len(_sends_to(fake_telegram, "@dead")) == 1
    destination = await _destination(app, "@dead")
    assert destination.state is DestinationState.DISABLED
    assert destination.disabled_reason
    [alert] = [t for t in _admin_texts(fake_telegram) if "@dead" in t]
    assert "disabled" in alert


async def test_migrated_group_is_followed_and_the_post_retried(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    group = fake_telegram.add_group(-4001, supergroup=False, title="Newsroom")
    supergroup = fake_telegram.migrate(group)
    app = app_factory(TELEGRAM_CHANNELS=str(group))
    await app.start()

    await publish(app)
    await drain_until_settled(app)

    assert len(fake_telegram.messages(supergroup)) == 1
    assert await _destination(app, str(group)) is None
    moved = await _destination(app, str(supergroup))
    assert moved.state is DestinationState.ACTIVE


@pytest.mark.parametrize("fault", ["parse_error", "too_long"])
async def test_refused_markup_is_resent_once_as_plain_text_and_logged_loudly(
    app_factory: Factory,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    fault: Any,
) -> None:
    channel = fake_telegram.add_channel("@news")
    fake_telegram.fault(fault, chat_id=channel, times=1)
    app = app_factory(TELEGRAM_CHANNELS="@news")
    await app.start()

    with caplog.at_level(logging.ERROR, logger="bot.services.delivery"):
        await publish(app)
        await drain_until_settled(app)

    calls = _sends_to(fake_telegram, "@news")
    assert [c.status for c in calls] == [400, 200]
    assert calls[0].params.get("parse_mode") == "HTML"
    assert "parse_mode" not in calls[1].params
    assert len(fake_telegram.messages(channel)) == 1
    assert any("plain text" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


async def test_forum_topic_destination_is_sent_with_its_thread_id(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    forum = fake_telegram.add_group(title="Forum", is_forum=True)
    topic = fake_telegram.add_topic(forum, "أخبار")
    app = app_factory(TELEGRAM_CHANNELS=f"{forum}:{topic}")
    await app.start()

    await publish(app)
    await drain_until_settled(app)

    [message] = fake_telegram.messages(forum)
    assert message["message_thread_id"] == topic
    destination = await _destination(app, str(forum))
    assert (destination.kind, destination.thread_id) == (DestinationKind.TOPIC, topic)


async def test_paid_broadcast_sends_carry_allow_paid_broadcast(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(700010)
    app = app_factory(NASHIR_PAID_BROADCAST="true")
    await app.start()
    await subscribe(app, [700010])
    await broadcast(app.db, app.clock, "بث")
    await drain_until_settled(app)
    [call] = _sends_to(fake_telegram, 700010)
    assert call.params["allow_paid_broadcast"] is True


async def test_steady_state_broadcast_gets_no_429_from_telegram(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    users = list(range(710000, 710150))
    for user in users:
        fake_telegram.add_user(user)
    fake_telegram.limits(scale=5)  # 150 messages a second overall
    app = app_factory(NASHIR_TELEGRAM_RATE="150", NASHIR_PRIVATE_RATE="5", NASHIR_GROUP_RATE="100")
    await app.start()
    await subscribe(app, users)

    await broadcast(app.db, app.clock, "نشرة")
    await drain_until_settled(app)

    assert fake_telegram.count_429 == 0
    assert fake_telegram.duplicates() == []
    assert all(fake_telegram.delivered(user) == 1 for user in users)
