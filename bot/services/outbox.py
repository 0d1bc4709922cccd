"""The outbox after downtime: stale new posts dropped, the overdue rest re-spaced.

Posts enter the outbox only through `bot.services.publishing.Publishing`; this side
keeps what is already queued sensible when nothing was sending for a while
(a restart, a pause), and owns the regular-expression worker that the
destinations' filters run in (`bot.core.regex_deadline`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.core.filters import Search
from bot.core.model import DeliveryKind
from bot.core.ports import Clock
from bot.core.regex_deadline import RegexWorker
from bot.core.settle_ports import SettleStore
from bot.services.publishing import BREAKING_PRIORITY

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxOptions:
    """Spacing and freshness, from the settings."""

    min_gap: float = 60.0
    freshness: timedelta = timedelta(hours=24)
    zone: tzinfo = UTC


class Outbox:
    """Settles the queue after downtime; holds the filters' regular-expression worker."""

    def __init__(
        self,
        store: SettleStore,
        clock: Clock,
        options: OutboxOptions,
        *,
        search: Search | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.options = options
        self._worker = RegexWorker() if search is None else None
        self.search: Search = search or self._worker.search  # type: ignore[union-attr]

    def close(self) -> None:
        """Stop the regular-expression worker, if it was started."""
        if self._worker is not None:
            self._worker.close()

    async def settle(self) -> tuple[int, int]:
        """After downtime or a pause: drop stale new posts, re-space the overdue rest.

        Returns (skipped, moved). Without this, rows that fell due while
        nothing was sending would all go out in the first second.
        """
        now = self.clock.now()
        gap = timedelta(seconds=self.options.min_gap)
        async with self.store.unit() as unit:
            stale = await unit.stale(DeliveryKind.NEW, now - self.options.freshness)
            await unit.skip(stale, "stale after downtime")
            moved = 0
            next_due: dict[int, datetime] = {}
            for post in await unit.overdue(now):
                if post.priority >= BREAKING_PRIORITY or gap <= timedelta(0):
                    continue
                due = next_due.get(post.destination_id, now)
                next_due[post.destination_id] = due + gap
                if due > now:
                    await unit.reschedule(post.delivery_id, due)
                    moved += 1
            await unit.commit()
        if stale or moved:
            log.info("outbox settled: %d stale posts dropped, %d re-spaced", len(stale), moved)
        return len(stale), moved
