"""Nashir's domain objects: plain data that knows no platform, database or network.

Sources produce `ArticleDraft`s; storage turns them into `Article`s with an id;
formatting turns an `Article` into a `Post` for one platform; the outbox tracks
one `Delivery` per article and destination. Everything here is immutable so it
can cross threads and be cached without surprises.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

# A source's CSS selectors as (field, selector) pairs, sorted by field.
Selectors = tuple[tuple[str, str], ...]


class Platform(enum.StrEnum):
    """Where a post goes; one publisher adapter per platform."""

    TELEGRAM = "telegram"
    X = "x"
    CONSOLE = "console"


class DestinationKind(enum.StrEnum):
    """What a destination is; rate limits and error handling depend on it."""

    CHANNEL = "channel"
    GROUP = "group"
    TOPIC = "topic"
    PRIVATE = "private"
    X_ACCOUNT = "x_account"
    CONSOLE = "console"


class DestinationState(enum.StrEnum):
    """A destination is either used or disabled with a reason (chat gone, bot kicked)."""

    ACTIVE = "active"
    DISABLED = "disabled"


class DeliveryState(enum.StrEnum):
    """Life of one outbox row. `sending` marks a claim, so a crash leaves evidence."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class DeliveryKind(enum.StrEnum):
    """Why an article is posted: new story, trending re-post, digest or direct message."""

    NEW = "new"
    TRENDING = "trending"
    DIGEST = "digest"
    FOLLOW = "follow"
    BROADCAST = "broadcast"


@dataclass(frozen=True, slots=True)
class SocialLinks:
    """The site's advertised channels; the footer of every post links to them."""

    youtube: str | None = None
    x: str | None = None
    telegram: str | None = None
    facebook: str | None = None
    google_news: str | None = None

    def items(self) -> list[tuple[str, str]]:
        """Return (network, url) pairs that are set, in the order the site lists them."""
        pairs = [
            ("youtube", self.youtube),
            ("x", self.x),
            ("telegram", self.telegram),
            ("facebook", self.facebook),
            ("google_news", self.google_news),
        ]
        return [(name, url) for name, url in pairs if url]

    def merged(self, other: SocialLinks) -> SocialLinks:
        """Fill the gaps of these links from `other` (settings override pages)."""
        return SocialLinks(
            youtube=self.youtube or other.youtube,
            x=self.x or other.x,
            telegram=self.telegram or other.telegram,
            facebook=self.facebook or other.facebook,
            google_news=self.google_news or other.google_news,
        )


@dataclass(frozen=True, slots=True)
class MostReadEntry:
    """One row of the site's own most-read block; its titles are often cut mid-word."""

    title: str
    url: str | None
    outlet: str | None
    reads: int | None


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article as a source saw it, before storage gives it an identity.

    `url` is as found; storage derives the canonical URL. `body` is the list of
    body paragraphs with boilerplate (credit and follow-us lines) already
    removed. `source_credit` is the "المصدر: ..." text, `outlet` the outlet the
    aggregator credits (e.g. "مساحة نت").
    """

    url: str
    title: str
    guid: str | None = None
    body: tuple[str, ...] = ()
    summary: str | None = None
    section: str | None = None
    outlet: str | None = None
    source_credit: str | None = None
    image: str | None = None
    published_at: datetime | None = None
    tags: tuple[str, ...] = ()
    reads: int | None = None
    social: SocialLinks = field(default_factory=SocialLinks)
    most_read: tuple[MostReadEntry, ...] = ()
    author: str | None = None

    @property
    def body_text(self) -> str:
        """The body as one text, paragraphs separated by blank lines."""
        return "\n\n".join(self.body)


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article: what formatting and selection work on."""

    id: int
    url: str
    title: str
    body: str = ""
    guid: str | None = None
    summary: str | None = None
    section: str | None = None
    outlet: str | None = None
    source_credit: str | None = None
    image: str | None = None
    published_at: datetime | None = None
    first_seen_at: datetime | None = None
    tags: tuple[str, ...] = ()
    reads: int | None = None
    breaking: bool = False
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Destination:
    """A place posts go: a channel, group, forum topic, private chat or the X account."""

    id: int
    platform: Platform
    kind: DestinationKind
    address: str
    thread_id: int | None = None
    state: DestinationState = DestinationState.ACTIVE
    disabled_reason: str | None = None
    title: str | None = None

    @property
    def active(self) -> bool:
        """Whether posts may go here."""
        return self.state is DestinationState.ACTIVE

    @property
    def label(self) -> str:
        """How the destination is named in metrics: private chats are one label, not 100,000."""
        if self.kind is DestinationKind.PRIVATE:
            return f"{self.platform.value}:private"
        return f"{self.platform.value}:{self.address}"


@dataclass(frozen=True, slots=True)
class Post:
    """One rendered post for one platform, ready to send.

    `text` is in the platform's markup (Telegram HTML, X plain text).
    `plain_text` is the fallback Telegram gets when its HTML is refused.
    """

    platform: Platform
    text: str
    plain_text: str
    link: str
    image: str | None = None
    button_text: str | None = None
    button_url: str | None = None
    length: int = 0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: an article (or a broadcast) on its way to one destination."""

    id: int
    destination_id: int
    kind: DeliveryKind
    state: DeliveryState
    article_id: int | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    message_id: str | None = None
    last_error: str | None = None
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """A polled feed or page and what conditional GET and backoff remember of it.

    `primed` turns true after the first successful poll: what a source already
    holds when it is added is stored, not posted.
    """

    id: int
    url: str
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_poll_at: datetime | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    primed: bool = False
    selectors: Selectors = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    user_id: int | None
    action: str
    detail: str | None
    allowed: bool


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
        author=draft.author,
    )
