"""What /stats draws: posts per hour per destination, and how long posts waited to go out.

Pure arithmetic over (destination, queued at, sent at) triples, so the chart
and its numbers are tested without a database or a plotting library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

HOURS = 24
MOST_SERIES = 5  # destinations drawn one by one; the rest are summed as "others"


@dataclass(frozen=True, slots=True)
class Activity:
    """The last `HOURS` hours of sending.

    Attributes:
        hours: The start of each hour, oldest first (aware, UTC).
        series: Posts sent in each hour, per destination label, busiest first.
        delays: Seconds from queued to sent at the 50th, 90th and 99th
            percentile, or None when nothing was sent.
        sent: Posts sent in the whole window.
    """

    hours: tuple[datetime, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    delays: tuple[float, float, float] | None
    sent: int


def activity(
    sent: Iterable[tuple[str, datetime, datetime]], now: datetime, *, hours: int = HOURS
) -> Activity:
    """Bucket each (label, queued at, sent at) into the hour it was sent."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=hours)
    counts: dict[str, list[int]] = {}
    waits: list[float] = []
    for label, queued, at in sent:
        if not start <= at < end:
            continue
        slot = int((at - start).total_seconds() // 3600)
        counts.setdefault(label, [0] * hours)[slot] += 1
        waits.append(max(0.0, (at - queued).total_seconds()))
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    shown = ranked[:MOST_SERIES]
    rest = ranked[MOST_SERIES:]
    if rest:
        shown.append(
            ("others", [sum(column) for column in zip(*(c for _, c in rest), strict=True)])
        )
    return Activity(
        hours=tuple(start + timedelta(hours=i) for i in range(hours)),
        series=tuple((label, tuple(column)) for label, column in shown),
        delays=_percentiles(waits) if waits else None,
        sent=len(waits),
    )


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)

    def rank(p: float) -> float:  # nearest-rank percentile
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return rank(50), rank(90), rank(99)
