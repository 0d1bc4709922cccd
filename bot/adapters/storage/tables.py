"""The database schema, as SQLAlchemy 2.0 typed models.

Rows never leave the storage package: repositories turn them into the plain
objects of `bot.core.model`. Times are stored timezone-aware in UTC. The Alembic
migrations under `migrations/` create exactly this schema; a test compares
them so the two cannot drift.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (Alembic needs them on SQLite)."""

    metadata = MetaData(naming_convention=NAMING)


UtcDateTime = DateTime(timezone=True)
AUTHOR_MAX_CHARS = 256  # a byline, several names at most; longer ones are cut


class SourceRow(Base):
    """A feed or page Nashir polls, with what conditional GET and backoff need."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_polled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    primed: Mapped[bool] = mapped_column(Boolean, default=False)
    selectors: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Listed in NASHIR_SOURCES; retired (not polled, kept) once no longer listed.
    from_setting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ArticleRow(Base):
    """One story, stored once however many URLs and outlets reached it."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    guid: Mapped[str | None] = mapped_column(String(1024), index=True)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(512), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(String(256))
    outlet: Mapped[str | None] = mapped_column(String(256))
    source_credit: Mapped[str | None] = mapped_column(String(512))
    # The byline as the page gives it (JSON-LD, <meta> or the visible byline).
    author: Mapped[str | None] = mapped_column(String(AUTHOR_MAX_CHARS))
    image: Mapped[str | None] = mapped_column(String(2048))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reads: Mapped[int | None] = mapped_column(Integer)
    breaking: Mapped[bool] = mapped_column(Boolean, default=False)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )


class TagRow(Base):
    """A tag as first written; `key` is its folded form so spelling variants are one tag."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    key: Mapped[str] = mapped_column(String(256), unique=True)


class ArticleTagRow(Base):
    """Which tags an article carries, in the site's order."""

    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class ReadSampleRow(Base):
    """One reading of an article's read counter; trends are computed from these."""

    __tablename__ = "read_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    reads: Mapped[int] = mapped_column(Integer)
    sampled_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_read_samples_article_time", "article_id", "sampled_at"),)


class SubscriberRow(Base):
    """A person who talks to the bot in private; `state` says if we may write to them."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    state: Mapped[str] = mapped_column(String(16), default="active", index=True)
    digest: Mapped[str] = mapped_column(String(16), default="off")
    digest_hour: Mapped[int] = mapped_column(Integer, default=21)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SubscriptionRow(Base):
    """A subscriber follows a tag."""

    __tablename__ = "subscriptions"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DestinationRow(Base):
    """A channel, group, forum topic, private chat or X account that posts go to."""

    __tablename__ = "destinations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(256))
    thread_id: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16), default="active")
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(256))
    rules: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("platform", "address", "thread_id"),)


class DeliveryRow(Base):
    """The outbox: one row per thing to send to one destination.

    `key` makes a second post of the same article to the same destination
    impossible (for example `new:42` on destination 3), whatever races happen
    between pollers and instances.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    destination_id: Mapped[int] = mapped_column(ForeignKey("destinations.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("destination_id", "key"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
    )


class XSpendRow(Base):
    """One post on X and what it cost: the ledger the X budget is computed from."""

    __tablename__ = "x_spend"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    cost: Mapped[float] = mapped_column(Float)
    with_link: Mapped[bool] = mapped_column(Boolean)
    delivery_id: Mapped[int | None] = mapped_column(Integer)


class AuditRow(Base):
    """Who asked for what, allowed or not: admins and intruders alike."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)


class FlagRow(Base):
    """Small shared state that must survive restarts and be seen by every instance."""

    __tablename__ = "flags"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SearchIndexRow(Base):
    """An article's title and summary folded for search (`bot.services.search.document`).

    Filled lazily from Python because folding is Python code; on SQLite an FTS5
    table mirrors it (triggers in migration 0004), on PostgreSQL a GIN index over
    its `simple` text-search vector serves the queries.
    """

    __tablename__ = "search_index"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[str] = mapped_column(Text)
