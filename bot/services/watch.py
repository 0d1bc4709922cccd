"""The quiet-site watch: a feed that stops is a newsroom's emergency, not a log line.

When nothing new has been seen for `quiet_site_hours` of the site's usual
publishing hours (nights do not count), the admins are alerted once for
that quiet spell; the next article ends the spell.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.core.ports import Clock
from bot.core.selection import inside_window, parse_clock, window_time_between
from bot.core.watch_ports import QuietWatchStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class QuietWatchOptions:
    """How long a silence may last, and in which hours the site usually publishes."""

    quiet_site_hours: float
    publishing_hours: str  # "HH:MM-HH:MM", local to `zone`
    zone: ZoneInfo


async def check_site_quiet(
    store: QuietWatchStore,
    clock: Clock,
    settings: QuietWatchOptions,
    alert: Callable[[str], Awaitable[None]] | None,
) -> str:
    """Alert once per quiet spell; return what was found."""
    if settings.quiet_site_hours <= 0:
        return "off"
    now = clock.now()
    start, _, end = settings.publishing_hours.partition("-")
    opens, closes = parse_clock(start), parse_clock(end)
    if not inside_window(now, settings.zone, opens, closes):
        return "outside publishing hours"
    found = await store.state()
    last, alerted = found.last_seen, found.alerted
    if last is None:
        return "no article yet"
    quiet = window_time_between(last, now, settings.zone, opens, closes)
    hours = quiet.total_seconds() / 3600
    if quiet < timedelta(hours=settings.quiet_site_hours):
        return f"last article {hours:.1f} publishing hours ago"
    if alerted == last.isoformat():
        return f"quiet for {hours:.1f} publishing hours (admins told)"
    text = (
        f"🔕 No new article for {hours:.1f} publishing hours (last seen "
        f"{last.astimezone(settings.zone):%Y-%m-%d %H:%M}). Is the site's feed working?"
    )
    log.error("%s", text)
    if alert is not None:
        await alert(text)
    await store.mark_alerted(last.isoformat(), now)
    return f"quiet for {hours:.1f} publishing hours: admins alerted"
