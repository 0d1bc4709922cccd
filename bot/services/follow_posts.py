"""The private message a subscriber gets for articles carrying a tag they follow.

Followed-tag posts are queued one per article and subscriber (outbox key
`follow:<article id>`, unique per chat, so never twice). When several wait for
one chat at the same time, the first one rendered takes the others along
(`FollowQueueRepository.absorb`) and they go out as one message: one article
is posted like a channel post, several as a list of linked headlines.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from bot.adapters.storage.database import Database
from bot.adapters.storage.search import ReadingRepository
from bot.adapters.storage.subscribers import FollowQueueRepository, SubscriberRepository
from bot.core.formatting import format_telegram
from bot.core.formatting.options import FormatOptions
from bot.core.links import clean_url, tag_url
from bot.core.model import Article, Delivery, Destination, Platform, Post

MAX_GROUP: Final = 10
GROUP_WINDOW: Final = timedelta(seconds=30)  # posts due this soon join the message going now
TITLES: Final = {
    "ar": "📌 جديد في الوسوم التي تتابعها",
    "en": "📌 New in the tags you follow",
}


async def follow_post(
    db: Database,
    options: FormatOptions,
    delivery: Delivery,
    destination: Destination,
    now: datetime,
) -> Post | None:
    """The post for a follow delivery, grouping the others waiting for the same chat."""
    async with db.session() as session:
        queue = FollowQueueRepository(session)
        if await queue.was_absorbed(delivery.id):
            return None
        due_by = now + GROUP_WINDOW
        ids = await queue.absorb(delivery.id, destination.id, MAX_GROUP, due_by=due_by)
        await session.commit()
        subscriber = None
        if destination.address.lstrip("-").isdigit():
            subscriber = await SubscriberRepository(session).by_chat(int(destination.address))
        articles = await ReadingRepository(session).articles(ids)
    language = subscriber.language if subscriber is not None else options.language
    options = dataclasses.replace(options, language="en" if language == "en" else "ar")
    if not articles:
        return None
    if len(articles) == 1:
        return single_post(articles[0], options)
    return grouped_post(articles, options)


@functools.lru_cache(maxsize=64)
def single_post(article: Article, options: FormatOptions) -> Post:
    """One article as a followed-tag message.

    A story followed by thousands is formatted once per language, not once per
    reader: formatting is pure and both arguments are frozen values, so equal
    arguments always give the same post.
    """
    return format_telegram(article, options, label="", utm_source="dm")


def grouped_post(articles: Sequence[Article], options: FormatOptions) -> Post:
    """Several articles as one message of linked headlines."""
    utm = options.telegram_utm

    def link(article: Article) -> str:
        url = clean_url(article.url)
        if not utm.enabled:
            return url
        return tag_url(url, source="dm", medium=utm.medium, campaign=utm.campaign)

    title = TITLES["en" if options.language == "en" else "ar"]
    rows = [(article.title, link(article)) for article in articles]
    text = "\n".join(
        [f"<b>{html.escape(title)}</b>", ""]
        + [f'• <a href="{html.escape(url)}">{html.escape(headline)}</a>' for headline, url in rows]
    )
    plain = "\n".join([title, ""] + [f"• {headline}\n{url}" for headline, url in rows])
    return Post(
        platform=Platform.TELEGRAM,
        text=text,
        plain_text=plain,
        link=rows[0][1],
        length=len(plain),
    )
