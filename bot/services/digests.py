"""Digests: "الأكثر قراءة اليوم" for the channels and X, personal ones for subscribers.

The channels' digest goes out at each configured local time
(`NASHIR_DIGEST_TIMES`, 21:00 by default, in `NASHIR_TIMEZONE`) under the
outbox key `digest:<YYYY-MM-DD>` (with `@HH:MM` when several times are
set): unique per destination, so a day's digest is queued at most once,
whether the job fires, a restart catches it up, or two instances race. X
gets the top three as three posts (`format_digest_x`), each keyed apart.

Subscribers who chose a daily or weekly digest get the most read articles of
the tags they follow at their hour, keyed `pdigest:<date>` or
`pdigest:w<year>-<week>`. A digest's delivery carries its article ids in its
payload; `DigestRenderer` turns it into the post when it is sent, so the
list is rendered with the site's current links and the reader's language.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from bot.core.digest_ports import DigestReads
from bot.core.formatting import format_digest_telegram, format_digest_x
from bot.core.formatting.digest import X_DIGEST_SIZE
from bot.core.formatting.labels import labels_for
from bot.core.model import Delivery, DeliveryKind, Destination, DestinationKind, Platform, Post
from bot.core.ports import Clock, Rendered
from bot.core.selection import due_slot, parse_clock
from bot.services.publishing import CHANNEL_KINDS, Publishing

if TYPE_CHECKING:
    from bot.services.rendering import Renderer

log = logging.getLogger(__name__)

DIGEST_GRACE = timedelta(hours=2)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKLY_TITLES = {"ar": "📊 الأكثر قراءة هذا الأسبوع", "en": "📊 Most read this week"}


def digest_key(day: date, slot: time, slots: int) -> str:
    """`digest:2026-01-01`, or `digest:2026-01-01@08:00` when there are several a day."""
    key = f"digest:{day.isoformat()}"
    return key if slots <= 1 else f"{key}@{slot:%H:%M}"


@dataclasses.dataclass(frozen=True, slots=True)
class DigestOptions:
    """When and how long digests are (NASHIR_DIGEST_*, NASHIR_TIMEZONE)."""

    digest_times: tuple[str, ...]
    digest_size: int
    weekly_digest_day: str
    zone: ZoneInfo


class Digests:
    """Queues the channels' digest and the subscribers' own, through the publishing service."""

    def __init__(
        self, reads: DigestReads, clock: Clock, publishing: Publishing, options: DigestOptions
    ) -> None:
        self.reads = reads
        self.clock = clock
        self.publishing = publishing
        self.options = options

    async def post_channel_digest(self) -> str:
        """Queue the digest of the slot now due (if any) for the channels and X."""
        settings = self.options
        now = self.clock.now()
        times = [parse_clock(t) for t in settings.digest_times]
        slot = due_slot(now, settings.zone, times, DIGEST_GRACE)
        if slot is None:
            return "no digest due"
        day, at = slot
        key = digest_key(day, at, len(times))
        found = await self.reads.channel_digest(
            since=now - timedelta(days=1),
            size=settings.digest_size,
            kinds=[*CHANNEL_KINDS, DestinationKind.X_ACCOUNT],
        )
        ids, destinations = found.article_ids, found.destinations
        if not ids:
            return f"{key}: no article read today"
        channels = [d for d in destinations if d.platform is not Platform.X]
        xs = [d for d in destinations if d.platform is Platform.X]
        added = await self.publishing.message(
            channels, key=key, kind=DeliveryKind.DIGEST, payload=_payload(ids)
        )
        top = ids[:X_DIGEST_SIZE]
        for part in range(1, len(top) + 1):
            added += await self.publishing.message(
                xs,
                key=f"{key}:x{part}",
                kind=DeliveryKind.DIGEST,
                payload=_payload(top, part=part),
                article_id=top[part - 1],
            )
        if not added:
            return f"{key}: already queued"
        log.info("digest %s queued: %d deliveries", key, added)
        return f"{key}: queued {added}"

    async def post_personal_digests(self) -> str:
        """Queue the digests subscribers asked for at this local hour."""
        settings = self.options
        now = self.clock.now()
        local = now.astimezone(settings.zone)
        runs = [("daily", timedelta(days=1), f"pdigest:{local.date().isoformat()}")]
        if WEEKDAYS[local.weekday()] == settings.weekly_digest_day:
            year, week, _ = local.isocalendar()
            runs.append(("weekly", timedelta(days=7), f"pdigest:w{year}-{week:02d}"))
        queued = 0
        empty = 0
        for digest, period, key in runs:
            plans = await self.reads.personal_digests(
                digest, local.hour, since=now - period, size=settings.digest_size
            )
            for plan in plans:
                if plan.destination is None or not plan.article_ids:
                    empty += 1
                    continue
                title = WEEKLY_TITLES[_lang(plan.language)] if digest == "weekly" else None
                queued += await self.publishing.message(
                    [plan.destination],
                    key=key,
                    kind=DeliveryKind.DIGEST,
                    payload=_payload(plan.article_ids, language=plan.language, title=title),
                )
        return f"{local:%H}:00: queued {queued}, nothing to send {empty}"


def _payload(
    ids: list[int],
    *,
    part: int | None = None,
    language: str | None = None,
    title: str | None = None,
) -> str:
    data: dict[str, Any] = {"articles": ids}
    if part is not None:
        data["part"] = part
    if language is not None:
        data["language"] = language
    if title is not None:
        data["title"] = title
    return json.dumps(data, ensure_ascii=False)


def _is_digest(delivery: Delivery) -> bool:
    return delivery.kind is DeliveryKind.DIGEST and bool(delivery.payload)


def _lang(language: str | None) -> Literal["ar", "en"]:
    return "en" if language == "en" else "ar"


class DigestRenderer:
    """Renders digest deliveries; everything else goes to the wrapped renderer."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    async def render_batch(self, items: Sequence[tuple[Delivery, Destination]]) -> list[Rendered]:
        """Digests one by one (each is its reader's own); the rest as the renderer batches them."""
        digests = [i for i, (delivery, _) in enumerate(items) if _is_digest(delivery)]
        chosen = set(digests)
        others = [i for i in range(len(items)) if i not in chosen]
        results: list[Rendered] = [None] * len(items)
        rendered = await self.renderer.render_batch([items[i] for i in others])
        for i, result in zip(others, rendered, strict=True):
            results[i] = result
        for i in digests:
            try:
                results[i] = await self(*items[i])
            except Exception as exc:  # reported per delivery by the worker
                results[i] = exc
        return results

    async def __call__(self, delivery: Delivery, destination: Destination) -> Post | None:
        """The post of this delivery."""
        if not _is_digest(delivery):
            return await self.renderer(delivery, destination)
        try:
            data = json.loads(delivery.payload or "")
            ids = [int(i) for i in data["articles"]]
        except (ValueError, KeyError, TypeError):
            return await self.renderer(delivery, destination)
        articles = await self.renderer.reads.articles(ids)
        if not articles:
            return None
        options = await self.renderer.current_options()
        if data.get("language"):
            options = dataclasses.replace(options, language=_lang(data["language"]))
        if destination.platform is Platform.X:
            posts = format_digest_x(articles, options)
            part = int(data.get("part", 1))
            return posts[part - 1] if 0 < part <= len(posts) else None
        title = data.get("title") or labels_for(options.language).digest_title
        return format_digest_telegram(articles, options, title=title)
