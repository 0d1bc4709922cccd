"""`nashir preview`: the exact posts an article would get, and their counted lengths.

A saved page is read under its canonical URL (`<link rel="canonical">`, else
`og:url`), the address the site publishes it at, so the link and the X count
are those of the real post. The Telegram post is shown as a reader sees it:
bold as bold, each link as its words; `--raw` shows the HTML sent instead.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.text import Text
from selectolax.lexbor import LexborHTMLParser

from bot.adapters.settings import Settings
from bot.adapters.sources.charset import decode_body
from bot.adapters.sources.documents import read_document
from bot.adapters.sources.fetch import Fetcher
from bot.core.errors import ParseError, UserInputError
from bot.core.formatting import format_telegram, format_x
from bot.core.model import ArticleDraft, Post, as_article
from bot.core.text.telegram_entities import Entity, utf16_length
from bot.core.text.telegram_html import TelegramHTMLError, stored_text
from bot.core.text.telegram_text import TelegramTextError
from bot.options import format_options, social_overrides

TELEGRAM_LIMITS = {"caption": 1024, "message": 4096}


async def preview_target(
    settings: Settings,
    target: str,
    platform: str,
    console: Console | None = None,
    *,
    raw: bool = False,
) -> int:
    """Print the Telegram and/or X post of the article at `target` (URL or file)."""
    console = console or Console()
    draft = await read_draft(settings, target)
    if not draft.url.startswith(("http://", "https://")):
        console.print(f"[yellow]{target} names no canonical URL: the posts link to {draft.url}[/]")
    if draft.author:
        console.print(Text(f"author: {draft.author}"))  # stored with the article, not posted
    posts = render_posts(settings, draft, platform)
    for post in posts:
        console.print(describe(post))
        shown = Text(post.text) if raw or post.platform.value != "telegram" else rendered(post)
        console.print(Panel(shown, expand=False))
        if post.button_text and post.button_url:
            console.print(f"button: [{post.button_text}] → {post.button_url}")
    return 0


def rendered(post: Post) -> Text:
    """The Telegram post as a reader sees it: the text Telegram stores, styled by its entities."""
    try:
        visible, entities = stored_text(post.text, strict=False)
    except (TelegramHTMLError, TelegramTextError):
        return Text(post.plain_text)
    shown = Text(visible)
    for entity in entities:
        style = _STYLES.get(entity.type)
        if entity.type == "text_link" and entity.url:
            style = f"underline link {entity.url}"
        if style:
            start, end = _python_span(visible, entity)
            shown.stylize(style, start, end)
    return shown


_STYLES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "code": "reverse",
    "pre": "reverse",
    "spoiler": "reverse",
    "blockquote": "italic",
    "expandable_blockquote": "italic",
    "url": "underline",
}


def _python_span(text: str, entity: Entity) -> tuple[int, int]:
    """An entity's UTF-16 offsets as indices into the Python string."""
    start = end = None
    units = 0
    for index, char in enumerate(text):
        if start is None and units >= entity.offset:
            start = index
        if units >= entity.end:
            end = index
            break
        units += utf16_length(char)
    return (start if start is not None else len(text)), (end if end is not None else len(text))


async def read_draft(settings: Settings, target: str) -> ArticleDraft:
    """Read an article from a saved file or from the web.

    Raises:
        UserInputError: `target` is neither a URL nor a readable file; the
            message names it.
    """
    if "://" not in target:
        return await _read_file(Path(target))
    return await _read_url(settings, target)


async def _read_file(path: Path) -> ArticleDraft:
    try:
        content = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise UserInputError(f"{path}: no such file (give a saved page or a URL)") from None
    except OSError as exc:
        raise UserInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    url = await asyncio.to_thread(lambda: path.resolve().as_uri())
    try:
        text, _ = decode_body(content, None)
        return _first(content, text, canonical_url_of(text) or url)
    except ParseError as exc:
        raise UserInputError(f"{path}: {exc}") from None


def canonical_url_of(html: str) -> str | None:
    """The page's own address: `<link rel="canonical">`, else `og:url`; http(s) only."""
    tree = LexborHTMLParser(html)
    for selector, attribute in (
        ('link[rel="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
    ):
        node = tree.css_first(selector)
        value = (node.attributes.get(attribute) or "").strip() if node is not None else ""
        if value.startswith(("http://", "https://")):
            return value
    return None


async def _read_url(settings: Settings, target: str) -> ArticleDraft:
    fetcher = Fetcher.create(
        version="preview",
        homepage=settings.contact_url or "news distribution bot",
        read_timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.allow_private_urls,
    )
    async with fetcher:
        result = await fetcher.fetch(target)
    url = canonical_url_of(result.text) or result.url
    return _first(result.content, result.text, url, content_type=result.content_type)


def _first(content: bytes, text: str, url: str, *, content_type: str | None = None) -> ArticleDraft:
    """The page's article, or a feed's newest item (the page's canonical `url` for a page)."""
    _, drafts = read_document(content, text, url, content_type=content_type)
    if not drafts:
        raise ParseError("the feed holds no items", url=url)
    return drafts[0]


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


def describe(post: Post) -> str:
    """One line: the platform, the kind of post and its length as the platform counts it."""
    if post.platform.value == "x":
        return f"X post — {post.length}/280 weighted characters"
    kind = "caption" if post.image else "message"
    return f"Telegram {kind} — {post.length}/{TELEGRAM_LIMITS[kind]} characters"
