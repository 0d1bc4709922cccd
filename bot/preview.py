"""`nashir preview`: the exact posts an article would get, and their counted lengths."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.app import format_options, social_overrides
from bot.errors import ParseError
from bot.formatting import format_telegram, format_x
from bot.model import Article, ArticleDraft, Post
from bot.settings import Settings
from bot.sources.charset import decode_body
from bot.sources.feeds import looks_like_feed, parse_feed
from bot.sources.fetch import Fetcher
from bot.sources.pages import extract_article

TELEGRAM_LIMITS = {"caption": 1024, "message": 4096}


async def preview_target(
    settings: Settings, target: str, platform: str, console: Console | None = None
) -> int:
    """Print the Telegram and/or X post of the article at `target` (URL or file)."""
    console = console or Console()
    draft = await read_draft(settings, target)
    posts = render_posts(settings, draft, platform)
    for post in posts:
        console.print(describe(post))
        console.print(Panel(Text(post.text), expand=False))
    return 0


async def read_draft(settings: Settings, target: str) -> ArticleDraft:
    """Read an article from a saved file or from the web."""
    path = Path(target)
    if await asyncio.to_thread(path.is_file):
        content = await asyncio.to_thread(path.read_bytes)
        url = f"file://{target}"
        if looks_like_feed(content, None):
            items = parse_feed(content, url)
            if not items:
                raise ParseError("the feed holds no items", url=url)
            return items[0]
        text, _ = decode_body(content, None)
        return extract_article(text, url)
    fetcher = Fetcher.create(
        version="preview",
        homepage=settings.contact_url or "news distribution bot",
        read_timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.allow_private_urls,
    )
    async with fetcher:
        result = await fetcher.fetch(target)
    if looks_like_feed(result.content, result.content_type):
        items = parse_feed(result.content, result.url)
        if not items:
            raise ParseError("the feed holds no items", url=target)
        return items[0]
    return extract_article(result.text, result.url)


def render_posts(settings: Settings, draft: ArticleDraft, platform: str) -> list[Post]:
    """The posts of `draft` for the chosen platforms, as they would be sent."""
    options = dataclasses.replace(
        format_options(settings), social=social_overrides(settings).merged(draft.social)
    )
    article = as_article(draft)
    posts = []
    if platform in ("telegram", "all"):
        posts.append(format_telegram(article, options, utm_source="telegram"))
    if platform in ("x", "all"):
        posts.append(format_x(article, options, utm_source="x"))
    return posts


def as_article(draft: ArticleDraft) -> Article:
    """An unsaved article (id 0) for formatting."""
    return Article(
        id=0,
        url=draft.url,
        title=draft.title,
        body=draft.body_text,
        guid=draft.guid,
        summary=draft.summary,
        section=draft.section,
        outlet=draft.outlet,
        source_credit=draft.source_credit,
        image=draft.image,
        published_at=draft.published_at,
        tags=draft.tags,
        reads=draft.reads,
    )


def describe(post: Post) -> str:
    """One line: the platform, the kind of post and its length as the platform counts it."""
    if post.platform.value == "x":
        return f"X post — {post.length}/280 weighted characters"
    kind = "caption" if post.image else "message"
    return f"Telegram {kind} — {post.length}/{TELEGRAM_LIMITS[kind]} characters"
