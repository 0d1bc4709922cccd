"""What a fetched document holds: every item of a feed, or the one article of a page.

Polling, `/addsource`, `nashir preview` and `nashir ingest` all ask this
question; they ask it here, so a document is a feed or a page the same way
wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.adapters.sources.feeds import looks_like_feed, parse_feed
from bot.adapters.sources.pages import extract_article
from bot.core.model import ArticleDraft


def read_document(
    content: bytes,
    text: str,
    url: str,
    *,
    content_type: str | None = None,
    selectors: Mapping[str, str] | None = None,
    now: datetime | None = None,
    rejected: list[tuple[str, str]] | None = None,
    doubts: list[str] | None = None,
) -> tuple[str, list[ArticleDraft]]:
    """("feed", its items newest first) or ("page", [its article]).

    Args:
        content: The body as received.
        text: The body decoded (pages are read from it).
        url: Where it came from; relative links resolve against it.
        content_type: The ``Content-Type`` header, when there was one.
        selectors: A source's own CSS selectors for its pages.
        now: The clock's time, for relative dates on pages ("منذ ساعتين").
        rejected: Collects (item, reason) for feed items left out.
        doubts: Collects the feed parser's doubts about the document's encoding.

    Raises:
        ParseError: The page has no article (a feed's bad items never raise).
    """
    if looks_like_feed(content, content_type):
        return "feed", parse_feed(content, url, rejected=rejected, doubts=doubts)
    return "page", [extract_article(text, url, selectors=selectors, now=now)]
