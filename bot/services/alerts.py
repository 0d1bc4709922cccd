"""Alerts to the admins: a destination disabled, a source failing, the X budget spent.

The service knows no platform: `send` (given by the Telegram side) writes to
the admins' chat. The same alert is not repeated within `cooldown`, so a
source down for a day or a worker failing every pass does not flood the
admins. `AlertingEvents` turns service events into alerts while passing every
event on to whoever else watches (metrics).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from bot.core.events import Events
from bot.core.ports import Clock
from bot.core.redaction import redact

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]

TEXTS = {
    "source": "⚠️ Source failing {count} polls in a row: {source}",
    "items": "⚠️ Source skipping items {count} polls in a row (see /healthz or the log): {source}",
    "held": "✋ {count} headline change{s} from {source} held, posts unchanged: {reason}."
    " Send /revisions to see them, then apply them (a real edit) or drop them (a misreading).",
    "budget": "💸 The X budget is spent: no more posts to X until it renews.",
}


class Alerts:
    """Sends alerts to the admins, each at most once per `cooldown`."""

    def __init__(
        self,
        clock: Clock,
        *,
        send: Send | None = None,
        cooldown: timedelta = timedelta(minutes=30),
    ) -> None:
        self.clock = clock
        self.cooldown = cooldown
        self.send = send
        self._last: dict[str, datetime] = {}

    async def __call__(self, text: str, *, key: str | None = None) -> bool:
        """Alert the admins; False when muted by the cooldown or nobody can be told."""
        text = redact(text)
        if self.send is None:
            log.warning("alert not sent (no admin chat): %s", text)
            return False
        now = self.clock.now()
        key = key or text
        last = self._last.get(key)
        if last is not None and now - last < self.cooldown:
            return False
        self._last[key] = now
        try:
            await self.send(text)
        except Exception:
            log.exception("could not alert the admins")
            return False
        return True

    async def tell(self, text: str) -> None:
        """Alert without caring whether it was muted (the delivery worker's hook)."""
        await self(text)

    async def source_failing(self, source: str, count: int, *, items: bool = False) -> bool:
        """A source failed `count` polls in a row (or, with `items`, skipped items in each)."""
        text = TEXTS["items" if items else "source"].format(source=source, count=count)
        return await self(text, key=f"src:{source}")

    async def revisions_held(self, source: str, count: int, reason: str) -> bool:
        """A poll's headline changes looked like a misreading and were not applied."""
        text = TEXTS["held"].format(
            source=source, count=count, s="" if count == 1 else "s", reason=reason
        )
        return await self(text, key=f"held:{source}")

    async def budget_spent(self) -> bool:
        """No X posts are left in the budget."""
        return await self(TEXTS["budget"], key="x-budget")


class AlertingEvents(Events):
    """Passes every event on to `inner` and raises alerts on the ones admins must hear."""

    def __init__(self, inner: Events, alerts: Alerts, *, source_failures: int = 3) -> None:
        for name in dir(inner):
            if not name.startswith("_") and name not in (
                "poll_finished",
                "x_budget",
                "revisions_held",
                "delivery_failed",
            ):
                value = getattr(inner, name)
                if callable(value):
                    setattr(self, name, value)
        self.inner = inner
        self.alerts = alerts
        self.source_failures = source_failures
        self._streaks: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def poll_finished(self, source: str, status: str, seconds: float, new: int) -> None:
        """Count failures in a row per source; alert when the streak reaches the limit.

        A poll that read the source but skipped items ("partial") counts too:
        a bad item that stays in the feed is something the admins should hear.
        """
        self.inner.poll_finished(redact(source), status, seconds, new)  # a metrics label
        if status not in ("error", "partial"):
            self._streaks.pop(source, None)
            return
        streak = self._streaks.get(source, 0) + 1
        self._streaks[source] = streak
        if streak == self.source_failures:
            self._spawn(self.alerts.source_failing(source, streak, items=status == "partial"))

    def revisions_held(self, source: str, count: int, reason: str) -> None:
        """Ask the admins to look at a source whose changes were held."""
        self.inner.revisions_held(source, count, reason)
        self._spawn(self.alerts.revisions_held(source, count, reason))

    def delivery_failed(self, destination: str, reason: str) -> None:
        """Pass it on with the reason redacted: it becomes a metrics label."""
        self.inner.delivery_failed(destination, redact(reason))

    def x_budget(self, posts_left: int, money_left: float | None) -> None:
        """Alert once the budget has no post left."""
        self.inner.x_budget(posts_left, money_left)
        if posts_left <= 0 or (money_left is not None and money_left <= 0):
            self._spawn(self.alerts.budget_spent())

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        try:
            task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coroutine)
        except RuntimeError:
            log.warning("alert raised outside the event loop; not sent")
            coroutine.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
