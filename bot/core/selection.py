"""Selection rules as pure functions: trends from read samples, digest slots, quiet sites.

Nothing here reads the clock, the database or the network: callers pass the
time and the data, so every rule is tested with plain values.

Read samples are (time, counter) pairs. A counter that goes down, or grows
faster than `max_per_hour`, is a bad reading (a cache, a reset, a bot
storm), not a trend: `plausible` refuses it before it is stored, and
`clean` drops any that got in anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

Sample = tuple[datetime, int]

MIN_SPAN = timedelta(minutes=10)
_MINUTE_HOURS = 1 / 60


def plausible(previous: Sample | None, reads: int, at: datetime, max_per_hour: float) -> bool:
    """Whether a new reading fits the last good one (never down, never an absurd jump)."""
    if reads < 0:
        return False
    if previous is None:
        return True
    before_at, before = previous
    if reads < before:
        return False
    hours = max((at - before_at).total_seconds() / 3600, _MINUTE_HOURS)
    return (reads - before) / hours <= max_per_hour


def clean(samples: Sequence[Sample], max_per_hour: float) -> list[Sample]:
    """The samples, oldest first, without the ones `plausible` refuses against the last kept."""
    kept: list[Sample] = []
    for at, reads in sorted(samples):
        if plausible(kept[-1] if kept else None, reads, at, max_per_hour):
            kept.append((at, reads))
    return kept


def _base(samples: Sequence[Sample], start: datetime) -> Sample | None:
    """The last sample at or before `start`, else the first one after it."""
    before = [s for s in samples if s[0] <= start]
    if before:
        return before[-1]
    return samples[0] if samples else None


def reads_in(samples: Sequence[Sample], now: datetime, window: timedelta) -> int:
    """Reads gained in the last `window` (0 with fewer than two samples)."""
    current = [s for s in samples if s[0] <= now]
    base = _base(current, now - window)
    if base is None or not current:
        return 0
    return max(current[-1][1] - base[1], 0)


def velocity(
    samples: Sequence[Sample], now: datetime, window: timedelta, *, min_span: timedelta = MIN_SPAN
) -> float:
    """Reads per hour over the last `window`; 0 until the samples span `min_span`."""
    current = [s for s in samples if s[0] <= now]
    base = _base(current, now - window)
    if base is None:
        return 0.0
    latest = current[-1]
    span = latest[0] - base[0]
    if span < min_span:
        return 0.0
    return max(latest[1] - base[1], 0) / (span.total_seconds() / 3600)


def top_by_velocity(velocities: Mapping[int, float], count: int, minimum: float) -> list[int]:
    """Ids of the `count` fastest articles at or above `minimum`, fastest first."""
    ranked = sorted(
        ((speed, article_id) for article_id, speed in velocities.items() if speed >= minimum),
        key=lambda pair: (-pair[0], -pair[1]),
    )
    return [article_id for _, article_id in ranked[:count]]


def parse_clock(text: str) -> time:
    """Read a local time of day such as 21:00 (the settings validated it)."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes))


def due_slot(
    now: datetime, zone: tzinfo, times: Sequence[time], grace: timedelta
) -> tuple[date, time] | None:
    """The latest slot (local date and time) at or before `now` and at most `grace` old.

    A digest missed by a restart goes out when the bot is back within the
    grace; one missed by longer is skipped, never sent late in a burst.
    """
    local = now.astimezone(zone)
    best: tuple[datetime, date, time] | None = None
    for day in (local.date() - timedelta(days=1), local.date()):
        for slot in times:
            moment = datetime.combine(day, slot, zone)
            if moment <= local and local - moment <= grace and (best is None or moment > best[0]):
                best = (moment, day, slot)
    return None if best is None else (best[1], best[2])


def window_time_between(
    start: datetime, end: datetime, zone: tzinfo, opens: time, closes: time
) -> timedelta:
    """How much of [start, end] falls inside the daily local window [opens, closes)."""
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    day = first
    while day <= last:
        begins = datetime.combine(day, opens, zone)
        ends_day = day if closes > opens else day + timedelta(days=1)
        ends = datetime.combine(ends_day, closes, zone)
        overlap = min(end, ends) - max(start, begins)
        if overlap > timedelta(0):
            total += overlap
        day += timedelta(days=1)
    return total


def inside_window(moment: datetime, zone: tzinfo, opens: time, closes: time) -> bool:
    """Whether `moment` is inside the daily local window."""
    local = moment.astimezone(zone).time()
    if opens < closes:
        return opens <= local < closes
    return local >= opens or local < closes
