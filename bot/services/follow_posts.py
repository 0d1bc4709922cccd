"""The private message a subscriber gets for articles carrying a tag they follow.

Followed-tag posts are queued one per article and subscriber (outbox key
`follow:<article id>`, unique per chat, so never twice). When several wait for
one chat at the same time, the first one rendered takes the others along
(`RenderReads.follow_batch`) and they go out as one message: one article
is posted like a channel post, several as a list of linked headlines.

A story followed by ten thousand readers is rendered a batch at a time: one
grouping pass, one read of the readers' languages and one of the articles for
the whole batch, and the post formatted once per language.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from bot.core.formatting import format_telegram
from bot.core.formatting.options import FormatOptions
from bot.core.links import clean_url, tag_url
from bot.core.model import Article, Delivery, Destination, Platform, Post
from bot.core.render_ports import RenderReads

MAX_GROUP: Final = 10
GROUP_WINDOW: Final = timedelta(seconds=30)  # posts due this soon join the message going now
TITLES: Final = {
    "ar": "📌 جديد في الوسوم التي تتابعها",
    "en": "📌 New in the tags you follow",
}


async def follow_posts(
    reads: RenderReads,
    options: FormatOptions,
    items: Sequence[tuple[Delivery, Destination]],
    now: datetime,
) -> list[Post | None]:
    """The post of each follow delivery of one batch; None for one another message carries."""
    leads = [(delivery.id, destination.id) for delivery, destination in items]
    chats = [_chat(destination) for _, destination in items]
    batch = await reads.follow_batch(
        leads,
        [chat for chat in chats if chat is not None],
        max_group=MAX_GROUP,
        due_by=now + GROUP_WINDOW,
    )
    groups, languages, articles = batch.groups, batch.languages, batch.articles
    by_language = {
        language: dataclasses.replace(options, language=language) for language in ("ar", "en")
    }
    posts: list[Post | None] = []
    for (delivery, _), chat in zip(items, chats, strict=True):
        found = [articles[i] for i in groups.get(delivery.id, []) if i in articles]
        language = languages.get(chat, options.language) if chat is not None else options.language
        chosen = by_language["en" if language == "en" else "ar"]
        posts.append(_post(found, chosen))
    return posts


def _chat(destination: Destination) -> int | None:
    address = destination.address
    return int(address) if address.lstrip("-").isdigit() else None


def _post(articles: Sequence[Article], options: FormatOptions) -> Post | None:
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
