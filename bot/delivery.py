"""The delivery worker: claims due outbox rows, sends them, records what happened.

Decisions are made on the meaning of an error (`bot.errors`), never on HTTP
codes: a rate limit waits exactly as long as asked, a transient failure backs
off with jitter up to `max_attempts`, a gone recipient or destination is
disabled and never retried, refused markup is resent once as plain text.

Crash window: a row is marked `sending` (committed) before the platform is
called and `sent` right after it answers. A kill between the two leaves the
row `sending`; after `claim_lease` it is released and sent again, so a post
in flight at a crash may appear at most once more, and none is lost.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.errors import (
    ChatMoved,
    DestinationGone,
    DuplicateContent,
    MarkupRejected,
    PermanentError,
    PublishError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.model import Delivery, DeliveryState, Destination, DestinationKind, Post
from bot.ports import Clock, Publisher
from bot.storage.database import Database
from bot.storage.repositories import ArticleRepository, DestinationRepository, OutboxRepository

log = logging.getLogger(__name__)

Alert = Callable[[str], Awaitable[None]]
Render = Callable[[Delivery, Destination], Awaitable[Post | None]]


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """Retry policy from the settings."""

    batch_size: int = 50
    max_attempts: int = 6
    base_backoff: float = 5.0
    max_backoff: float = 1800.0
    claim_lease: timedelta = timedelta(minutes=2)


@dataclass(slots=True)
class DeliveryReport:
    """What one pass of the worker did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


class DeliveryWorker:
    """Sends what the outbox holds, one batch per `run_once`."""

    def __init__(
        self,
        db: Database,
        publishers: Mapping[str, Publisher],
        render: Render,
        clock: Clock,
        options: DeliveryOptions,
        *,
        alert: Alert | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.publishers = publishers
        self.render = render
        self.clock = clock
        self.options = options
        self.alert = alert
        self.rng = rng or random.Random()
        self.worker_id = f"worker-{uuid.uuid4().hex[:12]}"
        self._held_until: dict[int, datetime] = {}

    async def recover(self) -> int:
        """Release rows a crashed worker left `sending`; run at start and on a schedule."""
        async with self.db.session() as session:
            released = await OutboxRepository(session).release_stale(
                older_than=self.clock.now() - self.options.claim_lease
            )
            await session.commit()
        if released:
            log.warning("released %d deliveries left in flight by a stopped worker", released)
        return released

    async def run_once(self) -> DeliveryReport:
        """Claim one batch of due rows and send each."""
        report = DeliveryReport()
        async with self.db.session() as session:
            batch = await OutboxRepository(session).claim(
                now=self.clock.now(),
                limit=self.options.batch_size,
                worker=self.worker_id,
                skip_locked=self.db.is_postgres,
            )
            await session.commit()
        for delivery in batch:
            await self._deliver(delivery, report)
        return report

    async def _deliver(self, delivery: Delivery, report: DeliveryReport) -> None:
        async with self.db.session() as session:
            destination = await DestinationRepository(session).get(delivery.destination_id)
            skipped = delivery.article_id is not None and await ArticleRepository(
                session
            ).is_skipped(delivery.article_id)
        if destination is None or not destination.active or skipped:
            reason = "article skipped" if skipped else "destination disabled"
            await self._final(delivery, DeliveryState.SKIPPED, reason)
            report.skipped += 1
            return
        held = self._held_until.get(destination.id)
        if held is not None and held > self.clock.now():
            await self._retry(delivery, "destination is rate limited", held, refund=True)
            report.retried += 1
            return
        post = await self.render(delivery, destination)
        if post is None:
            await self._final(delivery, DeliveryState.SKIPPED, "nothing to post")
            report.skipped += 1
            return
        publisher = self.publishers.get(destination.platform.value)
        if publisher is None:
            await self._final(delivery, DeliveryState.SKIPPED, "no publisher for platform")
            report.skipped += 1
            return
        try:
            message_id = await publisher.send(destination, post)
        except PublishError as exc:
            await self._on_error(delivery, destination, post, publisher, exc, report)
            return
        await self._sent(delivery, destination, message_id)
        report.sent += 1

    async def _on_error(
        self,
        delivery: Delivery,
        destination: Destination,
        post: Post,
        publisher: Publisher,
        exc: PublishError,
        report: DeliveryReport,
    ) -> None:
        where = f"delivery {delivery.id} to {destination.platform.value}:{destination.address}"
        report.errors.append(f"{where}: {exc}")
        now = self.clock.now()
        if isinstance(exc, RateLimited):
            until = now + timedelta(seconds=exc.retry_after)
            self._held_until[destination.id] = until
            log.warning("%s rate limited: waiting %.0fs as asked", where, exc.retry_after)
            await self._retry(delivery, str(exc), until, refund=True)
            report.retried += 1
        elif isinstance(exc, TransientError):
            await self._transient(delivery, where, exc, report)
        elif isinstance(exc, MarkupRejected):
            log.error("%s: markup refused (%s); resending once as plain text", where, exc)
            try:
                message_id = await publisher.send_plain(destination, post)
            except PublishError as plain_exc:
                await self._final(delivery, DeliveryState.FAILED, f"plain text too: {plain_exc}")
                report.failed += 1
                return
            await self._sent(delivery, destination, message_id)
            report.sent += 1
        elif isinstance(exc, ChatMoved):
            await self._moved(delivery, destination, exc)
            report.retried += 1
        elif isinstance(exc, DuplicateContent):
            log.info("%s: the platform already has this post; skipped", where)
            await self._final(delivery, DeliveryState.SKIPPED, str(exc))
            report.skipped += 1
        elif isinstance(exc, RecipientGone | DestinationGone):
            await self._gone(delivery, destination, where, exc)
            report.failed += 1
        else:
            assert isinstance(exc, PermanentError | PublishError)
            log.error("%s refused: %s", where, exc)
            await self._final(delivery, DeliveryState.FAILED, str(exc))
            report.failed += 1

    async def _transient(
        self, delivery: Delivery, where: str, exc: PublishError, report: DeliveryReport
    ) -> None:
        if delivery.attempts >= self.options.max_attempts:
            log.error("%s failed after %d attempts: %s", where, delivery.attempts, exc)
            await self._final(delivery, DeliveryState.FAILED, str(exc))
            report.failed += 1
            await self._tell_admins(f"⚠️ {where} failed after {delivery.attempts} attempts: {exc}")
            return
        delay = self._backoff(delivery.attempts)
        log.warning(
            "%s failed (%s); attempt %d, retry in %.0fs", where, exc, delivery.attempts, delay
        )
        await self._retry(delivery, str(exc), self.clock.now() + timedelta(seconds=delay))
        report.retried += 1

    def _backoff(self, attempts: int) -> float:
        """Exponential backoff with full jitter, so retries of many rows spread out."""
        ceiling = min(
            self.options.max_backoff, self.options.base_backoff * 2 ** max(attempts - 1, 0)
        )
        return self.rng.uniform(ceiling / 2, ceiling)

    async def _moved(self, delivery: Delivery, destination: Destination, exc: ChatMoved) -> None:
        log.warning(
            "destination %d moved to chat %d; retrying there", destination.id, exc.new_chat_id
        )
        async with self.db.session() as session:
            await DestinationRepository(session).move(destination.id, str(exc.new_chat_id))
            await session.commit()
        await self._retry(delivery, str(exc), self.clock.now(), refund=True)

    async def _gone(
        self, delivery: Delivery, destination: Destination, where: str, exc: PublishError
    ) -> None:
        async with self.db.session() as session:
            await DestinationRepository(session).disable(destination.id, str(exc))
            await session.commit()
        await self._final(delivery, DeliveryState.FAILED, str(exc))
        if destination.kind is DestinationKind.PRIVATE:
            log.info("%s: recipient gone (%s); not retried", where, exc)
            return
        log.error("%s: destination disabled: %s", where, exc)
        await self._tell_admins(
            f"⛔ {destination.platform.value} {destination.address} disabled: {exc}"
        )

    async def _sent(self, delivery: Delivery, destination: Destination, message_id: str) -> None:
        async with self.db.session() as session:
            await OutboxRepository(session).mark_sent(
                delivery.id, message_id=message_id, now=self.clock.now()
            )
            await session.commit()
        log.info(
            "sent delivery %d (article %s) to %s:%s as message %s",
            delivery.id,
            delivery.article_id,
            destination.platform.value,
            destination.address,
            message_id,
        )

    async def _retry(
        self, delivery: Delivery, error: str, at: datetime, *, refund: bool = False
    ) -> None:
        async with self.db.session() as session:
            await OutboxRepository(session).mark_retry(
                delivery.id, error=error, at=at, refund=refund
            )
            await session.commit()

    async def _final(self, delivery: Delivery, state: DeliveryState, error: str | None) -> None:
        async with self.db.session() as session:
            await OutboxRepository(session).mark_final(delivery.id, state, error=error)
            await session.commit()

    async def _tell_admins(self, text: str) -> None:
        if self.alert is None:
            return
        try:
            await self.alert(text)
        except Exception:
            log.exception("could not alert the admins")
