"""Trends from read samples, digest slots and publishing windows: pure rules over plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.selection import (
    clean,
    due_slot,
    inside_window,
    plausible,
    reads_in,
    top_by_velocity,
    velocity,
    window_time_between,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADEN = ZoneInfo("Asia/Aden")  # UTC+3


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_counter_that_goes_down_is_a_bad_reading() -> None:
    assert not plausible((at(0), 500), 480, at(10), max_per_hour=10_000)
    assert plausible((at(0), 500), 500, at(10), max_per_hour=10_000)


def test_a_counter_that_jumps_faster_than_the_limit_is_a_bad_reading() -> None:
    assert not plausible((at(0), 500), 50_500, at(60), max_per_hour=10_000)
    assert plausible((at(0), 500), 9_000, at(60), max_per_hour=10_000)


def test_clean_drops_a_spike_and_a_dip_but_keeps_the_trend() -> None:
    samples = [(at(0), 100), (at(30), 400), (at(40), 90_000), (at(50), 350), (at(60), 700)]
    assert clean(samples, max_per_hour=10_000) == [(at(0), 100), (at(30), 400), (at(60), 700)]


def test_velocity_is_reads_per_hour_over_the_window() -> None:
    samples = [(at(0), 100), (at(60), 700), (at(120), 1300), (at(180), 2500)]
    # the last two hours: from 700 at 10:00 to 2500 at 12:00
    assert velocity(samples, at(180), timedelta(hours=2)) == 900
    assert reads_in(samples, at(180), timedelta(hours=2)) == 1800


def test_velocity_needs_samples_spanning_ten_minutes() -> None:
    assert velocity([(at(0), 100), (at(5), 900)], at(5), timedelta(hours=3)) == 0
    assert velocity([(at(0), 100)], at(60), timedelta(hours=3)) == 0


def test_top_by_velocity_ranks_fastest_first_above_the_minimum() -> None:
    assert top_by_velocity({1: 50, 2: 900, 3: 300, 4: 700}, 2, minimum=100) == [2, 4]
    assert top_by_velocity({1: 50}, 3, minimum=100) == []


def test_the_digest_slot_is_due_from_its_local_time_for_the_grace_period() -> None:
    nine_pm = [time(21, 0)]
    grace = timedelta(hours=2)
    # 21:00 in Aden is 18:00 UTC
    assert due_slot(datetime(2026, 3, 1, 17, 59, tzinfo=UTC), ADEN, nine_pm, grace) is None
    due = (date(2026, 3, 1), time(21, 0))
    assert due_slot(datetime(2026, 3, 1, 18, 0, tzinfo=UTC), ADEN, nine_pm, grace) == due
    assert due_slot(datetime(2026, 3, 1, 19, 30, tzinfo=UTC), ADEN, nine_pm, grace) == due
    assert due_slot(datetime(2026, 3, 1, 20, 1, tzinfo=UTC), ADEN, nine_pm, grace) is None


def test_a_slot_near_midnight_belongs_to_the_day_it_started() -> None:
    slots = [time(23, 30)]
    # 00:15 Aden on 2 March is 21:15 UTC on 1 March
    found = due_slot(datetime(2026, 3, 1, 21, 15, tzinfo=UTC), ADEN, slots, timedelta(hours=2))
    assert found == (date(2026, 3, 1), time(23, 30))


def test_only_publishing_hours_count_towards_a_quiet_site() -> None:
    opens, closes = time(7), time(23)
    # from 22:00 Aden to 08:00 Aden the next day: one hour before closing, one after opening
    start = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    end = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert window_time_between(start, end, ADEN, opens, closes) == timedelta(hours=2)
    assert inside_window(end, ADEN, opens, closes)
    assert not inside_window(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), ADEN, opens, closes)
