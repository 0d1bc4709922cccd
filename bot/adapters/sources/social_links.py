"""The outlet's follow-us links: recognised by host, share buttons by their path.

A page links to the same network several times (the site's footer, the
outlet's own "follow us" line, links inside the story), so each network keeps
one: outside the story's body, the first with a follow hint, else the first;
a link from the story's own text only when there is no other.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from bot.adapters.sources.page_tree import absolute_link
from bot.core.model import SocialLinks

_FOLLOW_HINTS: Final = ("تابع", "follow", "انضم", "اشترك")
_SHARE_PATH = re.compile(r"/(?:sharer|share|intent|dialog)\b|[?&](?:u|url|text)=", re.IGNORECASE)
_NETWORK_HOSTS: Final = (
    ("google_news", ("news.google.com",)),
    ("youtube", ("youtube.com", "youtu.be")),
    ("x", ("x.com", "twitter.com")),
    ("telegram", ("t.me", "telegram.me", "telegram.dog")),
    ("facebook", ("facebook.com", "fb.com", "fb.me")),
)


def social_links(root: LexborNode, container: LexborNode | None, url: str) -> SocialLinks:
    """The best link to each network on the page.

    Args:
        root: The page's body.
        container: The story's body, whose links rank last, if one was found.
        url: Where the page was fetched; relative links resolve against it.
    """
    in_body = {n.mem_id for n in container.traverse()} if container is not None else set()
    best: dict[str, tuple[int, str]] = {}
    for anchor in root.css("a[href]"):
        href = absolute_link(url, anchor.attributes.get("href"))
        network = _network(href)
        if href is None or network is None:
            continue
        parent = anchor.parent
        hint = " ".join(
            [
                anchor.text(),
                anchor.attributes.get("title") or "",
                anchor.attributes.get("aria-label") or "",
                parent.text() if parent is not None else "",
            ]
        ).lower()
        rank = 0 if any(word in hint for word in _FOLLOW_HINTS) else 1
        if anchor.mem_id in in_body:
            rank = 2
        if network not in best or rank < best[network][0]:
            best[network] = (rank, href)
    return SocialLinks(**{name: href for name, (_, href) in best.items()})


def _network(href: str | None) -> str | None:
    """Which advertised network a link points to; None for shares and the rest."""
    if not href:
        return None
    try:
        parts = urlsplit(href)
        host = (parts.hostname or "").lower()
    except ValueError:  # a malformed host or port: this link only is skipped
        return None
    if parts.scheme not in ("http", "https") or _SHARE_PATH.search(href):
        return None
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    for name, hosts in _NETWORK_HOSTS:
        if host in hosts:
            return name
    return None
