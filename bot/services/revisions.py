"""Edits in place: when an article's headline or summary changes at the source.

The ingest side stores the new text, then calls `revise`. Each sent copy of
the article is rendered again as its destination would get it; a copy whose
fingerprint (`bot.services.delivery.content_hash`, kept with the delivery when it was
sent) differs is edited in place (Telegram: the text, or the caption of a
photo post). A copy that is unchanged costs no call, so `revise` may be
called for every poll that sees the article. X has no edit: its copy stays.

Edits go through the same rate limiter as sends; a 429 is waited out once
(never earlier than asked) when the wait is short, else the copy is left for
the next revision.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.delivery_ports import PostedCopies, PostedCopy
from bot.core.errors import PublishError, RateLimited
from bot.core.model import Platform
from bot.core.ports import Publisher
from bot.core.ratelimit import TelegramLimiter
from bot.services.delivery import Render, chat_kind, content_hash

log = logging.getLogger(__name__)

LONGEST_WAIT = 30.0  # seconds a 429 on an edit is waited out before giving up this time


@dataclass(slots=True)
class RevisionReport:
    """What `revise` did to the copies of one article."""

    edited: int = 0
    unchanged: int = 0
    not_editable: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Revisions:
    """Edits the posted copies of an article whose text changed at the source."""

    def __init__(
        self,
        copies: PostedCopies,
        publishers: Mapping[str, Publisher],
        render: Render,
        limiter: TelegramLimiter | None,
    ) -> None:
        self.copies = copies
        self.publishers = publishers
        self.renderer = render
        self.limiter = limiter

    async def revise(self, article_id: int) -> RevisionReport:
        """Edit every posted copy of an article whose rendered post changed."""
        report = RevisionReport()
        copies = await self.copies.posted(article_id)
        for copy in copies:
            await self._revise_copy(copy, report)
        if report.edited or report.failed:
            log.info(
                "article %d revised: %d edited, %d unchanged, %d failed",
                article_id,
                report.edited,
                report.unchanged,
                report.failed,
            )
        return report

    async def _revise_copy(self, copy: PostedCopy, report: RevisionReport) -> None:
        destination, delivery = copy.destination, copy.delivery
        publisher = self.publishers.get(destination.platform.value)
        post = await self.renderer(delivery, destination)
        if post is None or publisher is None or delivery.message_id is None:
            report.not_editable += 1
            return
        fingerprint = content_hash(post)
        if fingerprint == copy.content_hash:
            report.unchanged += 1
            return
        if destination.platform is Platform.X:
            report.not_editable += 1
            return
        for attempt in (1, 2):
            if self.limiter is not None and destination.platform is Platform.TELEGRAM:
                await self.limiter.acquire(
                    destination.address, chat_kind(destination), max_wait=LONGEST_WAIT
                )
            try:
                await publisher.edit(destination, delivery.message_id, post)
            except RateLimited as exc:
                if self.limiter is not None:
                    self.limiter.penalize(destination.address, exc.retry_after)
                if attempt == 1 and exc.retry_after <= LONGEST_WAIT:
                    if self.limiter is None:
                        await asyncio.sleep(exc.retry_after)
                    continue
                report.failed += 1
                report.errors.append(f"{destination.address}: {exc}")
                return
            except PublishError as exc:
                log.warning(
                    "could not edit message %s in %s: %s",
                    delivery.message_id,
                    destination.address,
                    exc,
                )
                report.failed += 1
                report.errors.append(f"{destination.address}: {exc}")
                return
            break
        await self.copies.set_content_hash(delivery.id, fingerprint)
        report.edited += 1
