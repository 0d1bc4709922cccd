"""Alerts reach the admins once per cooldown; events still reach whoever else watches."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.core.events import RecordingEvents
from bot.services.alerts import AlertingEvents, Alerts


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


async def test_a_source_failing_n_polls_in_a_row_alerts_once_and_events_pass_through() -> None:
    clock = Clock()
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    alerts = Alerts(clock, send=send)
    inner = RecordingEvents()
    events = AlertingEvents(inner, alerts, source_failures=3)
    for status in ("error", "error", "ok", "error", "error", "error", "error"):
        events.poll_finished("https://site.example/rss", status, 0.1, 0)
    events.delivery_sent("telegram:@news")
    await asyncio.sleep(0)
    assert sent == ["⚠️ Source failing 3 polls in a row: https://site.example/rss"]
    assert len([e for e in inner.seen if e[0] == "poll_finished"]) == 7
    assert ("delivery_sent", "telegram:@news") in inner.seen


async def test_the_same_alert_waits_for_the_cooldown_and_a_spent_budget_is_told() -> None:
    clock = Clock()
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    alerts = Alerts(clock, send=send, cooldown=timedelta(minutes=30))
    assert await alerts.budget_spent()
    assert not await alerts.budget_spent()
    clock.at += timedelta(minutes=31)
    assert await alerts.budget_spent()
    events = AlertingEvents(RecordingEvents(), alerts)
    clock.at += timedelta(minutes=31)
    events.x_budget(0, None)
    await asyncio.sleep(0)
    assert len(sent) == 3
