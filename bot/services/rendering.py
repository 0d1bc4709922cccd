"""Turns an outbox row into the post its destination gets.

Formatting is pure; this module only picks the formatter, the label and the
link tag for the destination (channels `utm_source=telegram`, private chats
`dm`, X `x`) and fetches the article. The site's social links are read fresh
on each call so a footer follows what the pages advertise.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta

from bot.adapters.storage.approvals import headline_override
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
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
from bot.core.ports import Clock
from bot.services.follow_posts import follow_post

SocialSource = Callable[[], Awaitable[SocialLinks]]
OPTIONS_TTL = timedelta(seconds=10)  # how stale the site's social links may be in a post


class Renderer:
    """Renders deliveries; holds the format options built from the settings."""

    def __init__(
        self,
        db: Database,
        options: FormatOptions,
        *,
        social: SocialSource | None = None,
        overrides: SocialLinks | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
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
            options = await self.current_options()
            return await follow_post(self.db, options, delivery, destination, self.clock.now())
        async with self.db.session() as session:
            article = await ArticleRepository(session).get(delivery.article_id)
        if article is None:
            return None
        headline = headline_override(delivery.payload)  # an admin's edit in approval mode
        if headline is not None:
            article = dataclasses.replace(article, title=headline)
        return await self.article_post(article, destination, delivery.kind)

    def cache_key(self, delivery: Delivery, destination: Destination) -> Hashable | None:
        """Deliveries with equal keys get the same post (the worker renders it once).

        None for kinds whose post depends on the recipient (followed tags, digests).
        """
        if delivery.kind in (DeliveryKind.FOLLOW, DeliveryKind.DIGEST):
            return None
        private = destination.kind is DestinationKind.PRIVATE
        return (delivery.article_id, delivery.kind, delivery.payload, destination.platform, private)

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
