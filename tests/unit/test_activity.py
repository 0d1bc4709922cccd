"""What /stats draws: posts per hour per destination and the waits, from plain triples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.activity import MOST_SERIES, activity

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def sent(label: str, hours_ago: float, waited: float) -> tuple[str, datetime, datetime]:
    at = NOW - timedelta(hours=hours_ago)
    return label, at - timedelta(seconds=waited), at


def test_posts_are_counted_in_the_hour_they_were_sent_busiest_destination_first() -> None:
    found = activity(
        [
            sent("telegram @news", 0.1, 2),
            sent("telegram @news", 0.2, 4),
            sent("x me", 0.2, 30),
            sent("telegram @news", 3.0, 6),
            sent("telegram @news", 30.0, 1),  # outside the day: ignored
        ],
        NOW,
    )
    assert found.hours[0] == datetime(2026, 2, 28, 13, tzinfo=UTC)
    assert found.hours[-1] == datetime(2026, 3, 1, 12, tzinfo=UTC)
    labels = [label for label, _ in found.series]
    assert labels == ["telegram @news", "x me"]
    news = dict(found.series)["telegram @news"]
    assert news[-1] == 2  # 12:00-13:00
    assert news[-4] == 1  # 09:00-10:00
    assert sum(news) == 3
    assert found.sent == 4
    assert found.delays == (4.0, 30.0, 30.0)  # nearest-rank p50, p90, p99 of 2, 4, 6, 30


def test_beyond_the_busiest_destinations_the_rest_are_summed_as_others() -> None:
    rows = [sent(f"telegram @c{i}", 1, 1) for i in range(MOST_SERIES + 3) for _ in range(i + 1)]
    found = activity(rows, NOW)
    labels = [label for label, _ in found.series]
    assert len(labels) == MOST_SERIES + 1
    assert labels[-1] == "others"
    assert sum(dict(found.series)["others"]) == 1 + 2 + 3  # the three quietest


def test_a_quiet_day_has_no_series_and_no_delays() -> None:
    found = activity([], NOW)
    assert found.series == ()
    assert found.delays is None
    assert found.sent == 0
    assert len(found.hours) == 24
