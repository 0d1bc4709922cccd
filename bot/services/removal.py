"""Removal: take an article down everywhere it was posted (the admin's /delete).

The article is marked skipped first, so nothing still queued for it is ever
sent, and its queued deliveries are cancelled; then every sent copy is
deleted on its platform (Telegram delete, X delete). A copy already gone
counts as deleted; a copy that could not be deleted stays recorded, so
running the removal again retries exactly those. A copy whose send was in
flight at that moment may land after the removal; running it again removes
it too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.delivery_ports import Removals
from bot.core.errors import PublishError
from bot.core.ports import Clock, Publisher

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RemovalReport:
    """What `delete_everywhere` did."""

    deleted: int = 0
    cancelled: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every copy is gone."""
        return self.failed == 0


async def delete_everywhere(
    removals: Removals, clock: Clock, publishers: Mapping[str, Publisher], article_id: int
) -> RemovalReport:
    """Delete every posted copy of an article and cancel what is still queued."""
    report = RemovalReport()
    now = clock.now()
    report.cancelled, copies = await removals.withdraw(article_id, "article removed")
    for copy in copies:
        destination, delivery = copy.destination, copy.delivery
        publisher = publishers.get(destination.platform.value)
        if publisher is None or delivery.message_id is None:
            continue
        try:
            await publisher.delete(destination, delivery.message_id)
        except PublishError as exc:
            log.warning(
                "could not delete message %s in %s: %s",
                delivery.message_id,
                destination.address,
                exc,
            )
            report.failed += 1
            report.errors.append(f"{destination.platform.value}:{destination.address}: {exc}")
            continue
        await removals.mark_removed(delivery.id, now)
        report.deleted += 1
    log.info(
        "article %d removed: %d deleted, %d cancelled, %d failed",
        article_id,
        report.deleted,
        report.cancelled,
        report.failed,
    )
    return report
