"""Check and clean one item before the database or a channel sees it.

Whatever a feed, a page or the CMS hook hands over is untrusted text. Here it
becomes something every store and every message can hold:

* NUL and other control characters (and lone surrogates, which PostgreSQL
  refuses to encode) are removed from every text field;
* titles and other fields are capped at lengths a message can show, so one
  1 MB headline cannot break ``/latest`` or ``/search`` for everyone;
* the item's link must be an http(s) URL of at most `MAX_URL` characters on
  a public host, or the item is refused with `ItemRefused`: a
  ``javascript:``, ``data:`` or ``file:`` link, or one to a private address,
  is never posted, and its raw text is never shown (only its scheme);
* an image link that fails the same test is dropped, not the item.

Checks on names stop at the literal: a public-looking name that resolves to a
private address is the fetcher's business (`bot.adapters.netguard`), and the link is
only shown, never fetched, unless page completion fetches it through that
guard.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final
from urllib.parse import urlsplit

from bot.adapters.netguard import is_public_ip, parse_ip_literal
from bot.core.errors import SourceError, UnsafeURLError
from bot.core.links import canonical_url
from bot.core.model import ArticleDraft
from bot.core.redaction import redact

MAX_URL: Final = 2048
MAX_TITLE: Final = 300
MAX_SUMMARY: Final = 1000
MAX_PARAGRAPH: Final = 10_000
MAX_BODY: Final = 100_000
MAX_LABEL: Final = 256
MAX_CREDIT: Final = 500
MAX_GUID: Final = 1024
MAX_TAG: Final = 100
MAX_TAGS: Final = 30
_SHOWN_LINK: Final = 200
_SHOWN_REASON: Final = 300

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_LOCAL_NAMES: Final = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


class ItemRefused(SourceError):
    """One item cannot be stored or posted; the message says why, naming no raw link."""


def strip_controls(text: str) -> str:
    """`text` without control characters or lone surrogates; newlines and tabs kept."""
    return _CONTROL.sub("", text)


def clean_line(text: str, limit: int) -> str:
    """One line of text: control characters gone, spaces folded, at most `limit` chars."""
    line = _SPACE.sub(" ", strip_controls(text)).strip()
    return _cap(line, limit)


def _cap(text: str, limit: int) -> str:
    """`text` cut to `limit` characters on a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def check_link(url: str, *, allow_private: bool = False) -> str:
    """The link, stripped, when it may be posted; otherwise `ItemRefused`.

    Args:
        url: The link as the source gave it (already absolute).
        allow_private: Accept loopback and private hosts (the demo site and
            tests, as `NASHIR_ALLOW_PRIVATE_URLS` allows for fetching).
    """
    link = url.strip()
    if _CONTROL.search(link) or any(c.isspace() for c in link):
        raise ItemRefused("link contains spaces or control characters")
    if len(link) > MAX_URL:
        raise ItemRefused(f"link longer than {MAX_URL} characters ({len(link)})")
    scheme = link.split(":", 1)[0].lower() if ":" in link else ""
    if scheme not in ("http", "https"):
        shown = f"a {scheme[:20]}: link" if scheme.isascii() and scheme.isalnum() else "relative"
        raise ItemRefused(f"link is not http(s) ({shown})")
    try:
        parts = urlsplit(link)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        raise ItemRefused("link is not a valid URL") from None
    if not host:
        raise ItemRefused("link has no host")
    if not allow_private and not _public_host(host):
        raise ItemRefused(f"link points to a private address ({host[:100]})")
    if len(canonical_url(link)) > MAX_URL:
        raise ItemRefused(f"link longer than {MAX_URL} characters once normalised")
    return link


def clean_draft(draft: ArticleDraft, *, allow_private: bool = False) -> ArticleDraft:
    """The draft with its link checked and every field cleaned and capped.

    Raises:
        ItemRefused: The link may not be posted, or no title is left.
    """
    url = check_link(draft.url, allow_private=allow_private)
    title = clean_line(draft.title, MAX_TITLE)
    if not title:
        raise ItemRefused("no title left once control characters are removed")
    image = draft.image
    if image is not None:
        try:
            image = check_link(image, allow_private=allow_private)
        except ItemRefused:
            image = None
    return dataclasses.replace(
        draft,
        url=url,
        title=title,
        guid=_optional(draft.guid, MAX_GUID),
        body=_paragraphs(draft.body),
        summary=_optional(draft.summary, MAX_SUMMARY),
        section=_optional(draft.section, MAX_LABEL),
        outlet=_optional(draft.outlet, MAX_LABEL),
        source_credit=_optional(draft.source_credit, MAX_CREDIT),
        image=image,
        tags=tuple(t for t in (clean_line(tag, MAX_TAG) for tag in draft.tags) if t)[:MAX_TAGS],
    )


def _optional(text: str | None, limit: int) -> str | None:
    return (clean_line(text, limit) or None) if text is not None else None


def _paragraphs(body: tuple[str, ...]) -> tuple[str, ...]:
    kept: list[str] = []
    total = 0
    for paragraph in body:
        text = _cap(strip_controls(paragraph).strip(), MAX_PARAGRAPH)
        if not text:
            continue
        total += len(text) + 2
        if total > MAX_BODY:
            break
        kept.append(text)
    return tuple(kept)


def _public_host(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name == _LOCAL_NAMES[0] or name.endswith(_LOCAL_NAMES[1:]):
        return False
    try:
        address = parse_ip_literal(name)
    except UnsafeURLError:
        return False
    return address is None or is_public_ip(address)


def shown_link(url: str) -> str:
    """A link as a log line or an alert may show it: short, and never a script.

    A ``javascript:`` or ``data:`` link is named by its scheme only, so its
    payload is never copied into a message someone might tap.
    """
    link = strip_controls(url).strip()
    scheme = link.split(":", 1)[0].lower() if ":" in link else ""
    if scheme not in ("http", "https"):
        return f"(a {scheme[:20]}: link)" if scheme.isascii() and scheme.isalnum() else "(no link)"
    return link if len(link) <= _SHOWN_LINK else link[: _SHOWN_LINK - 1] + "…"


def describe(exc: BaseException) -> str:
    """One short line saying what went wrong, for a log line or `last_error`.

    The message's first line (a database error's SQL and parameters stay
    out), or the kind of error when it carries no message.
    """
    text = redact(str(exc)).strip()
    text = text.splitlines()[0].strip() if text else ""
    if not text:
        return f"unexpected error ({type(exc).__name__})"
    return text if len(text) <= _SHOWN_REASON else text[: _SHOWN_REASON - 1] + "…"
