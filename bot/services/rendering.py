"""Turns an outbox row into the post its destination gets.

Formatting is pure; this module only picks the formatter, the label and the
link tag for the destination (channels `utm_source=telegram`, private chats
`dm`, X `x`) and fetches the article. It renders a claimed batch at once, so
copies of one post are formatted once and followed-tag messages share their
reads (`follow_posts`). The site's social links are read at most every
`OPTIONS_TTL`, so a footer follows what the pages advertise.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime, timedelta

from bot.adapters.storage.approvals import headline_override
from bot.core.clock import SystemClock
from bot.core.formatting import FormatOptions, format_telegram, format_x
from bot.core.formatting.labels import labels_for
from bot.core.model import (
    Article,
    Delivery,
    DeliveryKind,
    Destination,
    DestinationKind,
    Platform,
    Post,
    SocialLinks,
)
from bot.core.ports import Clock, Rendered
from bot.core.render_ports import RenderReads
from bot.services.follow_posts import follow_posts

log = logging.getLogger(__name__)

SocialSource = Callable[[], Awaitable[SocialLinks]]
OPTIONS_TTL = timedelta(seconds=10)  # how stale the site's social links may be in a post


class Renderer:
    """Renders deliveries; holds the format options built from the settings."""

    def __init__(
        self,
        reads: RenderReads,
        options: FormatOptions,
        *,
        social: SocialSource | None = None,
        overrides: SocialLinks | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.reads = reads
        self.options = options
        self.social = social
        self.overrides = overrides or SocialLinks()
        self.clock = clock or SystemClock()
        self._options: tuple[datetime, FormatOptions] | None = None

    async def __call__(self, delivery: Delivery, destination: Destination) -> Post | None:
        """The post for this delivery, or None when its article is gone."""
        if delivery.article_id is None:
            return self.message(delivery.payload or "", destination)
        if delivery.kind is DeliveryKind.FOLLOW:
            [post] = await self._follow_posts([(delivery, destination)])
            return post
        article = await self.reads.article(delivery.article_id)
        if article is None:
            return None
        headline = headline_override(delivery.payload)  # an admin's edit in approval mode
        if headline is not None:
            article = dataclasses.replace(article, title=headline)
        return await self.article_post(article, destination, delivery.kind)

    async def render_batch(self, items: Sequence[tuple[Delivery, Destination]]) -> list[Rendered]:
        """The post of each delivery: followed-tag messages together, equal posts once."""
        results: list[Rendered] = [None] * len(items)
        follows = [
            i
            for i, (delivery, _) in enumerate(items)
            if delivery.kind is DeliveryKind.FOLLOW and delivery.article_id is not None
        ]
        followed = await self._follows([items[i] for i in follows])
        for i, result in zip(follows, followed, strict=True):
            results[i] = result
        cache: dict[Hashable, Rendered] = {}
        skip = set(follows)
        for i, (delivery, destination) in enumerate(items):
            if i in skip:
                continue
            key = _same_post(delivery, destination)
            if key is not None and key in cache:
                results[i] = cache[key]
                continue
            try:
                found: Rendered = await self(delivery, destination)
            except Exception as exc:  # reported per delivery by the worker
                found = exc
            if key is not None:
                cache[key] = found
            results[i] = found
        return results

    async def _follows(self, items: Sequence[tuple[Delivery, Destination]]) -> list[Rendered]:
        """Followed-tag messages of one batch; one at a time if the batch fails as a whole."""
        if not items:
            return []
        try:
            return list(await self._follow_posts(items))
        except Exception:  # a bad row costs only its own message
            log.warning("followed-tag batch could not be rendered together; one by one")
        results: list[Rendered] = []
        for item in items:
            try:
                results.extend(await self._follow_posts([item]))
            except Exception as exc:  # reported per delivery by the worker
                results.append(exc)
        return results

    async def _follow_posts(
        self, items: Sequence[tuple[Delivery, Destination]]
    ) -> list[Post | None]:
        options = await self.current_options()
        return await follow_posts(self.reads, options, items, self.clock.now())

    async def article_post(
        self, article: Article, destination: Destination, kind: DeliveryKind = DeliveryKind.NEW
    ) -> Post:
        """The post of `article` as `destination` would get it."""
        options = await self.current_options()
        label = self._label(article, kind, options)
        if destination.platform is Platform.X:
            post = format_x(article, options, label=label, utm_source="x")
            return dataclasses.replace(post, image=article.image)  # uploaded when enabled
        source = "dm" if destination.kind is DestinationKind.PRIVATE else "telegram"
        return format_telegram(article, options, label=label, utm_source=source)

    async def current_options(self) -> FormatOptions:
        """Options with the social links settings override, then the site's own.

        The site's links are read at most every `OPTIONS_TTL`: a fanout renders
        thousands of posts a minute, and the links change once in a long while.
        """
        now = self.clock.now()
        if self._options is not None and now < self._options[0]:
            return self._options[1]
        found = await self.social() if self.social is not None else SocialLinks()
        options = dataclasses.replace(self.options, social=self.overrides.merged(found))
        self._options = (now + OPTIONS_TTL, options)
        return options

    def message(self, text: str, destination: Destination) -> Post:
        """A plain message (broadcast, alert) as a post."""
        return Post(
            platform=destination.platform,
            text=html.escape(text, quote=False),
            plain_text=text,
            link="",
            length=len(text),
        )

    @staticmethod
    def _label(article: Article, kind: DeliveryKind, options: FormatOptions) -> str | None:
        labels = labels_for(options.language)
        if kind is DeliveryKind.TRENDING:
            return labels.most_read
        if article.breaking:
            return labels.breaking
        return None


def _same_post(delivery: Delivery, destination: Destination) -> Hashable | None:
    """Deliveries with equal keys get the same post; None when it depends on the recipient."""
    if delivery.kind in (DeliveryKind.FOLLOW, DeliveryKind.DIGEST):
        return None
    private = destination.kind is DestinationKind.PRIVATE
    return (delivery.article_id, delivery.kind, delivery.payload, destination.platform, private)
