"""The delivery worker: claims due outbox rows in batches, sends them, records what happened.

Flow of one row: claim (``pending`` → ``sending``, committed) → render → wait
for a rate-limit slot → send → record (``sent`` with the platform's message
id, or back to ``pending`` with a time, or ``failed``/``skipped`` with the
reason). Several tasks send at once (`DeliveryOptions.concurrency`); the next
batch is claimed while the current one is still being sent, so a broadcast
runs at the full allowed rate. On PostgreSQL the claim uses ``FOR UPDATE SKIP
LOCKED``, so any number of workers and instances share the outbox without
ever holding the same row.

`serve` is what a running bot runs, and the benchmarks measure it: one loop
that claims batch after batch while rows are due, and sleeps only when
nothing is. It wakes at once when rows are queued (`bot.adapters.storage.outbox_signal`:
in this process on commit, from other instances by PostgreSQL's NOTIFY), and
otherwise when the next queued row falls due. `run_once` and `drain` are the
same pipeline stopped after one batch or once nothing is due.

Decisions are made on the meaning of an error (`bot.core.errors`), never on HTTP
codes:

* rate limited: the chat is held exactly ``retry_after`` (never tried
  earlier), the whole sender slows down (`bot.core.ratelimit`), and the row is
  due again at that time without counting an attempt; X's 24-hour cap skips
  X posts until X's reset instead of retrying;
* transient (network, timeout, 5xx): exponential backoff with jitter up to
  `max_attempts`, then failed and the admins alerted;
* recipient gone (blocked, deactivated): the private chat is disabled, the
  subscriber marked blocked, nothing retried, nobody alerted;
* destination gone (chat not found, bot kicked): the destination is
  disabled and the admins alerted; its queued rows are skipped;
* chat moved: the destination follows ``migrate_to_chat_id``, row retried;
* markup refused or too long: resent once as plain text, logged as an error;
* duplicate content: skipped.

Crash window (kill -9 at any moment). A row is committed ``sending`` before
its send and ``sent`` after it, in groups (`flush_every` results or
`flush_interval` seconds, whichever comes first). A crash therefore leaves:

* rows claimed but not yet sent: released after `claim_lease` and sent once;
* rows sent but whose ``sent`` was not yet committed: released after
  `claim_lease` and sent **once more**. There are at most `concurrency`
  sends in flight plus `flush_every` unrecorded results per worker: that
  is the bound on duplicates a crash may cause (a timeout that the platform
  did act on is the same ambiguity, and is retried the same way).

No row is ever lost: nothing leaves ``sending`` except by a recorded outcome
or by the lease running out. `tests/integration/test_kill.py` kills a real
delivering process with SIGKILL mid-broadcast and measures both.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.crash_points import crash_point
from bot.core.delivery_ports import DeliveryQueue, SentRecord
from bot.core.errors import (
    ChatMoved,
    DestinationGone,
    DuplicateContent,
    MarkupRejected,
    PublishError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.core.events import Events
from bot.core.model import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    Platform,
    Post,
)
from bot.core.ports import Clock, PostRenderer, Publisher, Rendered
from bot.core.ratelimit import ChatKind, TelegramLimiter
from bot.services.xbudget import Importance, XBudget

log = logging.getLogger(__name__)

Alert = Callable[[str], Awaitable[None]]
Render = Callable[[Delivery, Destination], Awaitable[Post | None]]


class OneByOne:
    """A render function as a batch renderer: each delivery alone, nothing shared."""

    def __init__(self, render: Render) -> None:
        self.render = render

    async def render_batch(self, items: Sequence[tuple[Delivery, Destination]]) -> list[Rendered]:
        """Each item's post, or the exception that stopped it."""
        results: list[Rendered] = []
        for delivery, destination in items:
            try:
                results.append(await self.render(delivery, destination))
            except Exception as exc:  # reported per delivery by the worker
                results.append(exc)
        return results


Gate = Callable[[], Awaitable[bool]]
MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """Batching, concurrency and retry policy from the settings."""

    batch_size: int = 200
    concurrency: int = 32
    max_attempts: int = 6
    base_backoff: float = 5.0
    max_backoff: float = 1800.0
    claim_lease: timedelta = timedelta(minutes=2)
    flush_every: int = 100
    flush_interval: float = 0.25
    max_wait: float = 1.0
    idle: float = 2.0  # longest sleep with nothing due (queued rows wake the worker earlier)
    locked_pause: float = 0.25  # rows due but held by another claim: look again this soon


@dataclass(slots=True)
class DeliveryReport:
    """What one run of the worker did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    claimed: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        """Keep the first errors only: a broadcast to dead chats must not grow memory."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(text)


@dataclass(frozen=True, slots=True)
class _Job:
    delivery: Delivery
    destination: Destination | None
    post: Post | None
    skip: str | None = None
    breaking: bool = False


def content_hash(post: Post) -> str:
    """A fingerprint of what readers see: edits are sent only when it changes."""
    parts = (post.text, post.image or "", post.button_text or "", post.button_url or "")
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def chat_kind(destination: Destination) -> ChatKind:
    """Which of Telegram's per-chat limits applies to a destination."""
    return ChatKind.PRIVATE if destination.kind is DestinationKind.PRIVATE else ChatKind.GROUP


def importance(delivery: Delivery, *, breaking: bool) -> Importance:
    """Breaking first, then most-read re-posts, then the rest (for the X budget)."""
    if breaking:
        return Importance.BREAKING
    if delivery.kind is DeliveryKind.TRENDING:
        return Importance.MOST_READ
    return Importance.ORDINARY


def label(destination: Destination) -> str:
    """How a destination is named in metrics (see `Destination.label`)."""
    return destination.label


class _Recorder:
    """Buffers accepted sends and writes them in one statement per group."""

    def __init__(self, queue: DeliveryQueue, every: int, interval: float) -> None:
        self.queue = queue
        self.every = every
        self.interval = interval
        self.buffer: list[SentRecord] = []
        self.lock = asyncio.Lock()
        self.last = time.monotonic()

    async def add(self, record: SentRecord) -> None:
        self.buffer.append(record)
        if len(self.buffer) >= self.every or time.monotonic() - self.last >= self.interval:
            await self.flush()

    async def flush(self) -> None:
        async with self.lock:
            self.last = time.monotonic()
            taken, self.buffer = self.buffer, []
            if not taken:
                return
            try:
                await self.queue.record_sent(taken)
                crash_point("delivery:recorded")
            except BaseException:
                self.buffer[:0] = taken  # cancelled or failed: keep them for the next flush
                raise

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
            await self.flush()


class DeliveryWorker:
    """Sends what the outbox holds: for ever in `serve`, or one batch, or until nothing is due."""

    def __init__(
        self,
        queue: DeliveryQueue,
        publishers: Mapping[str, Publisher],
        render: PostRenderer,
        clock: Clock,
        options: DeliveryOptions,
        *,
        limiter: TelegramLimiter | None = None,
        budget: XBudget | None = None,
        alert: Alert | None = None,
        events: Events | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.queue = queue
        self.publishers = publishers
        self.render = render
        self.clock = clock
        self.options = options
        self.limiter = limiter
        self.budget = budget
        self.alert = alert
        self.events = events or Events()
        self.rng = rng or random.Random()
        self.worker_id = f"worker-{uuid.uuid4().hex[:12]}"
        self._batches = itertools.count(1)
        self._held_until: dict[int, datetime] = {}
        self._wake = asyncio.Event()
        self.serving = False
        self.sent_total = 0
        self._reported = 0

    def sent_since_last_report(self) -> int:
        """Sends since the last call (the `deliver` job's line in the schedule)."""
        count, self._reported = self.sent_total - self._reported, self.sent_total
        return count

    def wake(self) -> None:
        """Rows were queued: claim now instead of at the end of the current sleep."""
        self._wake.set()

    async def recover(self) -> int:
        """Release rows a crashed worker left `sending`; run at start and on a schedule."""
        released = await self.queue.release_stale(self.clock.now() - self.options.claim_lease)
        if released:
            log.warning("released %d deliveries left in flight by a stopped worker", released)
        return released

    async def run_once(self) -> DeliveryReport:
        """Claim one batch of due rows and send each."""
        return await self._run(single=True)

    async def drain(self) -> DeliveryReport:
        """Claim and send batch after batch until nothing is due."""
        return await self._run(single=False)

    async def serve(self, stop: asyncio.Event, *, may_send: Gate | None = None) -> DeliveryReport:
        """Deliver until `stop` is set: what a running bot runs.

        Batch follows batch while rows are due; with nothing due the worker
        sleeps until rows are queued (here, or by another instance on
        PostgreSQL), until the next queued row falls due, or `idle` seconds.
        `may_send` is asked before every claim (leadership, pause): while it
        says no, nothing is claimed. On `stop`, rows claimed but not started
        go back to the queue and the sends in flight finish.
        """
        self.serving = True
        unsubscribe = self.queue.on_queued(self.wake)
        listener = asyncio.create_task(self.queue.listen(self.wake, stop))
        try:
            return await self._run(single=False, stop=stop, may_send=may_send)
        finally:
            self.serving = False
            unsubscribe()
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _run(
        self, *, single: bool, stop: asyncio.Event | None = None, may_send: Gate | None = None
    ) -> DeliveryReport:
        report = DeliveryReport()
        recorder = _Recorder(self.queue, self.options.flush_every, self.options.flush_interval)
        queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        low = max(self.options.batch_size // 2, 1)
        hungry = asyncio.Event()  # set by consumers when the queue runs low: claim more
        consumers = [
            asyncio.create_task(self._consume(queue, report, recorder, hungry, low))
            for _ in range(self.options.concurrency)
        ]
        done = asyncio.Event()
        flusher = asyncio.create_task(recorder.run(done))
        try:
            while stop is None or not stop.is_set():
                self._wake.clear()  # a wake from now on is kept for the sleep below
                allowed = may_send is None or await may_send()
                batch = await self._claim() if allowed else []
                report.claimed += len(batch)
                for job in await self._prepare(batch):
                    queue.put_nowait(job)
                if single:
                    break
                if not batch:
                    if stop is None:
                        break
                    await _first_of(
                        (self._wake, stop), await self._sleep_time(allowed, queue.qsize())
                    )
                    continue
                hungry.clear()
                if queue.qsize() > low:
                    await _first_of((hungry, stop) if stop is not None else (hungry,), None)
            if stop is not None and stop.is_set():
                await self._give_back(queue)
            for _ in consumers:
                queue.put_nowait(None)
            await asyncio.gather(*consumers)
            done.set()
            await flusher
        finally:
            for task in [*consumers, flusher]:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*consumers, flusher, return_exceptions=True)
            await recorder.flush()
        return report

    async def _sleep_time(self, allowed: bool, queued: int) -> float:
        """How long to sleep with nothing claimed: until the next row is due, at most `idle`."""
        idle = self.options.idle
        if not allowed:
            return idle
        due = await self.queue.next_due()
        if due is None:
            return idle
        wait = (due - self.clock.now()).total_seconds()
        if wait <= 0:  # due, but claimed elsewhere or still in our own queue
            return min(idle, self.options.locked_pause if queued == 0 else 0.05)
        return min(idle, wait)

    async def _give_back(self, queue: asyncio.Queue[_Job | None]) -> None:
        """Return claimed rows nobody started sending to the queue (stop requested)."""
        ids = []
        while not queue.empty():
            job = queue.get_nowait()
            if job is not None:
                ids.append(job.delivery.id)
        if not ids:
            return
        await self.queue.release(ids)
        log.info("stopping: %d claimed deliveries returned to the queue", len(ids))

    async def _claim(self) -> list[Delivery]:
        batch = await self.queue.claim(
            self.clock.now(),
            self.options.batch_size,
            # Stamped per batch: the rows of one batch know each other (followed-tag grouping).
            f"{self.worker_id}/{next(self._batches)}",
        )
        if batch:
            crash_point("delivery:claimed")
        return batch

    async def _prepare(self, batch: list[Delivery]) -> list[_Job]:
        """Look up the batch's destinations at once and render the batch at once."""
        if not batch:
            return []
        facts = await self.queue.facts(batch)
        destinations, skipped, breaking = facts.destinations, facts.skipped, facts.breaking
        jobs: dict[int, _Job] = {}
        wanted: list[tuple[Delivery, Destination]] = []
        for delivery in batch:
            destination = destinations.get(delivery.destination_id)
            if destination is None or not destination.active:
                jobs[delivery.id] = _Job(delivery, destination, None, "destination disabled")
            elif delivery.article_id in skipped:
                jobs[delivery.id] = _Job(delivery, destination, None, "article skipped")
            else:
                wanted.append((delivery, destination))
        rendered = await self.render.render_batch(wanted)
        for (delivery, destination), post in zip(wanted, rendered, strict=True):
            if isinstance(post, Exception):  # a bad article must not stop the batch
                log.error("could not render delivery %d", delivery.id, exc_info=post)
                jobs[delivery.id] = _Job(delivery, destination, None, f"render failed: {post}")
                continue
            skip = None if post else "nothing to post"
            is_breaking = delivery.article_id in breaking
            jobs[delivery.id] = _Job(delivery, destination, post, skip, breaking=is_breaking)
        return [jobs[delivery.id] for delivery in batch]

    async def _consume(
        self,
        queue: asyncio.Queue[_Job | None],
        report: DeliveryReport,
        recorder: _Recorder,
        hungry: asyncio.Event,
        low: int,
    ) -> None:
        while True:
            job = await queue.get()
            if queue.qsize() <= low:
                hungry.set()
            if job is None:
                return
            try:
                await self._deliver(job, report, recorder)
            except Exception as exc:  # never leave a row claimed because of a bug
                log.exception("delivery %d broke the worker", job.delivery.id)
                await self._retry(
                    job.delivery, f"internal error: {exc}", self.clock.now() + timedelta(minutes=1)
                )
                report.retried += 1

    async def _deliver(self, job: _Job, report: DeliveryReport, recorder: _Recorder) -> None:
        delivery, destination, post = job.delivery, job.destination, job.post
        if job.skip is not None or destination is None or post is None:
            await self._final(delivery, DeliveryState.SKIPPED, job.skip or "nothing to post")
            report.skipped += 1
            return
        publisher = self.publishers.get(destination.platform.value)
        if publisher is None:
            await self._final(delivery, DeliveryState.SKIPPED, "no publisher for platform")
            report.skipped += 1
            return
        held = self._held_until.get(destination.id)
        if held is not None and held > self.clock.now():
            await self._retry(delivery, "destination is rate limited", held, refund=True)
            report.deferred += 1
            return
        if destination.platform is Platform.TELEGRAM and self.limiter is not None:
            wait = await self.limiter.acquire(
                destination.address, chat_kind(destination), max_wait=self.options.max_wait
            )
            if wait is not None:
                at = self.clock.now() + timedelta(seconds=wait)
                await self._retry(delivery, "waiting for the chat's rate limit", at, refund=True)
                report.deferred += 1
                return
        if destination.platform is Platform.X and self.budget is not None:
            await self._deliver_x(job, publisher, report, recorder)
            return
        try:
            message_id = await publisher.send(destination, post)
        except PublishError as exc:
            await self._on_error(delivery, destination, post, publisher, exc, report, recorder)
            return
        crash_point("delivery:sent")  # sent, not yet recorded: the documented resend window
        await self._sent(delivery, destination, post, message_id, report, recorder)

    async def _deliver_x(
        self, job: _Job, publisher: Publisher, report: DeliveryReport, recorder: _Recorder
    ) -> None:
        """Judge the post against the X budget, send it, and record what it cost."""
        assert self.budget is not None
        assert job.destination is not None
        assert job.post is not None
        delivery, destination, post = job.delivery, job.destination, job.post
        with_link = bool(post.link) and post.link in post.text
        async with self.budget.lock:  # judge and spend as one step within this process
            verdict = await self.budget.decide(
                importance(delivery, breaking=job.breaking), with_link=with_link
            )
            if not verdict.allowed:
                await self._final(delivery, DeliveryState.SKIPPED, verdict.reason)
                report.skipped += 1
                return
            try:
                message_id = await publisher.send(destination, post)
            except PublishError as exc:
                await self._on_error(delivery, destination, post, publisher, exc, report, recorder)
                return
            await self.budget.spend(verdict, with_link=with_link, delivery_id=delivery.id)
        await self._sent(delivery, destination, post, message_id, report, recorder)

    async def _on_error(
        self,
        delivery: Delivery,
        destination: Destination,
        post: Post,
        publisher: Publisher,
        exc: PublishError,
        report: DeliveryReport,
        recorder: _Recorder,
    ) -> None:
        where = f"delivery {delivery.id} to {destination.platform.value}:{destination.address}"
        report.error(f"{where}: {exc}")
        platform = destination.platform.value
        self.events.api_error(platform, str(exc.code) if exc.code else type(exc).__name__)
        if isinstance(exc, RateLimited):
            await self._rate_limited(delivery, destination, where, exc, report)
        elif isinstance(exc, TransientError):
            await self._transient(delivery, where, exc, report)
        elif isinstance(exc, MarkupRejected):
            # The refused call delivered nothing and counts against no limit: resend at once.
            log.error("%s: markup refused (%s); resending once as plain text", where, exc)
            try:
                message_id = await publisher.send_plain(destination, post)
            except PublishError as plain_exc:
                log.error("%s: plain text refused too: %s", where, plain_exc)
                await self._final(delivery, DeliveryState.FAILED, f"plain text too: {plain_exc}")
                self.events.delivery_failed(label(destination), "markup")
                report.failed += 1
                return
            await self._sent(delivery, destination, post, message_id, report, recorder)
        elif isinstance(exc, ChatMoved):
            await self._moved(delivery, destination, exc, report)
        elif isinstance(exc, DuplicateContent):
            log.info("%s: the platform already has this post; skipped", where)
            await self._final(delivery, DeliveryState.SKIPPED, str(exc))
            report.skipped += 1
        elif isinstance(exc, RecipientGone | DestinationGone):
            await self._gone(delivery, destination, where, exc)
            report.failed += 1
        else:
            log.error("%s refused: %s", where, exc)
            await self._final(delivery, DeliveryState.FAILED, str(exc))
            self.events.delivery_failed(label(destination), "rejected")
            report.failed += 1

    async def _rate_limited(
        self,
        delivery: Delivery,
        destination: Destination,
        where: str,
        exc: RateLimited,
        report: DeliveryReport,
    ) -> None:
        now = self.clock.now()
        until = now + timedelta(seconds=exc.retry_after)
        self.events.rate_limited(destination.platform.value, exc.retry_after)
        if exc.daily and self.budget is not None:
            # A spent 24-hour allowance: skip (the budget skips the next ones too), no loop.
            await self.budget.capped(until)
            await self._final(delivery, DeliveryState.SKIPPED, str(exc))
            report.skipped += 1
            return
        if destination.platform is Platform.TELEGRAM and self.limiter is not None:
            self.limiter.penalize(destination.address, exc.retry_after)
        else:
            self._held_until[destination.id] = until
        log.warning("%s rate limited: waiting %.0fs as asked", where, exc.retry_after)
        await self._retry(delivery, str(exc), until, refund=True)
        report.retried += 1

    async def _transient(
        self, delivery: Delivery, where: str, exc: PublishError, report: DeliveryReport
    ) -> None:
        if delivery.attempts >= self.options.max_attempts:
            log.error("%s failed after %d attempts: %s", where, delivery.attempts, exc)
            await self._final(delivery, DeliveryState.FAILED, str(exc))
            self.events.delivery_failed(where.rsplit(" to ", 1)[-1], "transient")
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
        """Exponential backoff with jitter, so retries of many rows spread out."""
        ceiling = min(
            self.options.max_backoff, self.options.base_backoff * 2 ** max(attempts - 1, 0)
        )
        return self.rng.uniform(ceiling / 2, ceiling)

    async def _moved(
        self, delivery: Delivery, destination: Destination, exc: ChatMoved, report: DeliveryReport
    ) -> None:
        new_address = str(exc.new_chat_id)
        log.warning("destination %d moved to chat %s; retrying there", destination.id, new_address)
        if not await self.queue.move(destination.id, new_address):
            # The new chat is a destination already: it gets its own copy; this one retires.
            await self.queue.disable(
                destination.id, f"moved to {new_address}, already a destination"
            )
            await self._final(delivery, DeliveryState.SKIPPED, f"chat moved to {new_address}")
            report.skipped += 1
            return
        await self._retry(delivery, str(exc), self.clock.now(), refund=True)
        report.retried += 1

    async def _gone(
        self, delivery: Delivery, destination: Destination, where: str, exc: PublishError
    ) -> None:
        private = destination.kind is DestinationKind.PRIVATE
        await self.queue.disable(
            destination.id, str(exc), blocked_chat=destination.address if private else None
        )
        await self._final(delivery, DeliveryState.FAILED, str(exc))
        if destination.kind is DestinationKind.PRIVATE:
            log.info("%s: recipient gone (%s); not retried", where, exc)
            self.events.delivery_failed(label(destination), "recipient_gone")
            return
        self.events.delivery_failed(label(destination), "destination_gone")
        log.error("%s: destination disabled: %s", where, exc)
        await self._tell_admins(
            f"⛔ {destination.platform.value} {destination.address} disabled: {exc}"
        )

    async def _sent(
        self,
        delivery: Delivery,
        destination: Destination,
        post: Post,
        message_id: str,
        report: DeliveryReport,
        recorder: _Recorder,
    ) -> None:
        now = self.clock.now()
        await recorder.add(SentRecord(delivery.id, message_id, now, content_hash(post)))
        report.sent += 1
        self.sent_total += 1
        queued = None
        if delivery.next_attempt_at is not None:
            queued = max((now - delivery.next_attempt_at.astimezone(UTC)).total_seconds(), 0.0)
        self.events.delivery_sent(label(destination), queued)
        if destination.kind is not DestinationKind.PRIVATE:
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
        await self.queue.retry(delivery.id, error, at, refund=refund)

    async def _final(self, delivery: Delivery, state: DeliveryState, error: str | None) -> None:
        await self.queue.final(delivery.id, state, error)

    async def _tell_admins(self, text: str) -> None:
        if self.alert is None:
            return
        try:
            await self.alert(text)
        except Exception:
            log.exception("could not alert the admins")


async def _first_of(events: tuple[asyncio.Event, ...], within: float | None) -> None:
    """Wait until any of `events` is set, or `within` seconds (None: no limit)."""
    if any(event.is_set() for event in events):
        return
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
