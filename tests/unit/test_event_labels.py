"""What reaches metrics labels through the alerting events carries no secret."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import ManualClock
from bot.core.events import RecordingEvents
from bot.services.alerts import AlertingEvents, Alerts


def test_sources_and_failure_reasons_reach_metrics_redacted() -> None:
    recorded = RecordingEvents()
    events = AlertingEvents(recorded, Alerts(ManualClock(datetime(2026, 3, 1, tzinfo=UTC))))

    events.poll_finished("https://reader:pw@feeds.example.com/rss", "ok", 0.1, 0)
    events.delivery_failed(
        "telegram:@news", "Telegram unreachable: http://127.0.0.1:9/bot123456789:tok-en/sendMessage"
    )

    assert recorded.seen == [
        ("poll_finished", "https://reader:***@feeds.example.com/rss", "ok", 0),
        (
            "delivery_failed",
            "telegram:@news",
            "Telegram unreachable: http://127.0.0.1:9/bot***/sendMessage",
        ),
    ]
