"""Digests on in-memory fakes: when a digest is due, under which key, what it lists, no database."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from digest_fakes import FakeDigestReads, Reader
from publishing_fakes import FakeOutbox, Row
from rendering_fakes import FakeRenderReads

from bot.core.clock import ManualClock
from bot.core.formatting import FormatOptions
from bot.core.model import (
    Article,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    Platform,
    Post,
)
from bot.services.digests import WEEKLY_TITLES, DigestOptions, DigestRenderer, Digests
from bot.services.publishing import Publishing, PublishingOptions
from bot.services.rendering import Renderer

ZONE = ZoneInfo("Asia/Riyadh")  # UTC+3 all year
SUNDAY = datetime(2026, 3, 1, tzinfo=ZONE)  # ISO week 9


def at(hour: int, minute: int = 0) -> datetime:
    return (SUNDAY + timedelta(hours=hour, minutes=minute)).astimezone(UTC)


def story(number: int, reads: int | None, **fields: object) -> Article:
    values: dict[str, object] = {
        "url": f"https://news.example/{number}",
        "title": f"خبر رقم {number}",
        "published_at": at(8),
        "reads": reads,
    }
    values.update(fields)
    return Article(id=number, **values)  # type: ignore[arg-type]


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox()


@pytest.fixture
def reads(outbox: FakeOutbox) -> FakeDigestReads:
    fake = FakeDigestReads()
    fake.destinations = [
        outbox.add(DestinationKind.CHANNEL, "@news"),
        outbox.add(DestinationKind.X_ACCOUNT, "me", Platform.X),
        outbox.add(DestinationKind.PRIVATE, "5001"),
    ]
    fake.articles = [story(n, reads=100 * n) for n in range(1, 6)]
    return fake


def digests(
    reads: FakeDigestReads,
    outbox: FakeOutbox,
    now: datetime,
    *,
    times: tuple[str, ...] = ("21:00",),
    weekly: str = "fri",
    size: int = 4,
) -> Digests:
    clock = ManualClock(now)
    publishing = Publishing(
        outbox.units(), clock, PublishingOptions(min_gap=0), search=_never_matches
    )
    return Digests(reads, clock, publishing, DigestOptions(times, size, weekly, ZONE))


def _never_matches(pattern: str, text: str) -> bool:
    return False


def queued(outbox: FakeOutbox, key: str) -> dict[int, Row]:
    return outbox.keyed(key)


def payload(row: Row) -> dict[str, object]:
    assert row.post.payload is not None
    loaded: dict[str, object] = json.loads(row.post.payload)
    return loaded


async def test_no_digest_before_its_time_nor_long_after_it(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    assert await digests(reads, outbox, at(20, 59)).post_channel_digest() == "no digest due"
    assert await digests(reads, outbox, at(23, 1)).post_channel_digest() == "no digest due"
    assert reads.calls == 0
    assert outbox.rows == {}


async def test_the_channels_get_the_days_most_read_and_x_the_top_three_as_a_thread(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    result = await digests(reads, outbox, at(21, 10)).post_channel_digest()
    assert result == "digest:2026-03-01: queued 4"
    [channel] = queued(outbox, "digest:2026-03-01").values()
    assert channel.destination_id == 1
    assert channel.post.kind is DeliveryKind.DIGEST
    assert payload(channel) == {"articles": [5, 4, 3, 2]}
    for part, article_id in enumerate([5, 4, 3], start=1):
        [x] = queued(outbox, f"digest:2026-03-01:x{part}").values()
        assert x.destination_id == 2
        assert x.post.article_id == article_id
        assert payload(x) == {"articles": [5, 4, 3], "part": part}
    assert all(row.destination_id != 3 for row in outbox.rows.values())  # no private chat


async def test_a_days_digest_is_queued_once_however_often_the_job_fires(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    await digests(reads, outbox, at(21)).post_channel_digest()
    again = await digests(reads, outbox, at(22, 30)).post_channel_digest()
    assert again == "digest:2026-03-01: already queued"
    assert len(outbox.rows) == 4


async def test_several_times_a_day_key_each_slot_apart(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    times = ("08:00", "21:00")
    morning = await digests(reads, outbox, at(8, 5), times=times).post_channel_digest()
    evening = await digests(reads, outbox, at(21, 5), times=times).post_channel_digest()
    assert morning.startswith("digest:2026-03-01@08:00: queued")
    assert evening.startswith("digest:2026-03-01@21:00: queued")


async def test_only_articles_read_within_the_last_day_make_the_digest(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    reads.articles = [
        story(1, reads=None),
        story(2, reads=900, published_at=at(21) - timedelta(days=2)),
    ]
    result = await digests(reads, outbox, at(21)).post_channel_digest()
    assert result == "digest:2026-03-01: no article read today"
    assert outbox.rows == {}


async def test_subscribers_get_their_tags_most_read_in_their_language_at_their_hour(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    reads.articles = [
        story(1, reads=10, tags=("رياضة",)),
        story(2, reads=30, tags=("رياضة",)),
        story(3, reads=50, tags=("اقتصاد",)),
    ]
    sport = outbox.add(DestinationKind.PRIVATE, "5002")
    economy = outbox.add(DestinationKind.PRIVATE, "5003")
    reads.readers = [
        Reader(sport, "daily", 8, "ar", frozenset({"رياضة"})),
        Reader(economy, "daily", 8, "en", frozenset({"اقتصاد"})),
        Reader(outbox.add(DestinationKind.PRIVATE, "5004"), "daily", 8, follows=frozenset({"فن"})),
        Reader(None, "daily", 8, follows=frozenset({"رياضة"})),  # chat gone
        Reader(outbox.add(DestinationKind.PRIVATE, "5005"), "daily", 9, follows=frozenset()),
    ]
    result = await digests(reads, outbox, at(8, 2)).post_personal_digests()
    assert result == "08:00: queued 2, nothing to send 2"
    rows = queued(outbox, "pdigest:2026-03-01")
    assert sorted(rows) == [sport.id, economy.id]
    assert payload(rows[sport.id]) == {"articles": [2, 1], "language": "ar"}
    assert payload(rows[economy.id]) == {"articles": [3], "language": "en"}


async def test_weekly_readers_get_the_weeks_most_read_on_the_weekly_day_with_its_title(
    reads: FakeDigestReads, outbox: FakeOutbox
) -> None:
    reads.articles = [
        story(1, reads=10, tags=("رياضة",), published_at=at(8) - timedelta(days=5)),
        story(2, reads=30, tags=("رياضة",), published_at=at(8) - timedelta(days=9)),
    ]
    weekly = outbox.add(DestinationKind.PRIVATE, "5002")
    reads.readers = [Reader(weekly, "weekly", 8, "en", frozenset({"رياضة"}))]
    not_today = await digests(reads, outbox, at(8), weekly="fri").post_personal_digests()
    assert not_today == "08:00: queued 0, nothing to send 0"
    result = await digests(reads, outbox, at(8), weekly="sun").post_personal_digests()
    assert result == "08:00: queued 1, nothing to send 0"
    [row] = queued(outbox, "pdigest:w2026-09").values()
    assert payload(row) == {"articles": [1], "language": "en", "title": WEEKLY_TITLES["en"]}


CHANNEL = Destination(1, Platform.TELEGRAM, DestinationKind.CHANNEL, "@news")
X = Destination(2, Platform.X, DestinationKind.X_ACCOUNT, "me")


def digest_row(data: Mapping[str, object], *, kind: DeliveryKind = DeliveryKind.DIGEST) -> Delivery:
    return Delivery(
        id=1,
        destination_id=1,
        kind=kind,
        state=DeliveryState.SENDING,
        payload=json.dumps(data, ensure_ascii=False),
    )


@pytest.fixture
def render_reads() -> FakeRenderReads:
    fake = FakeRenderReads()
    for number in (1, 2, 3):
        fake.add(story(number, reads=100 * number))
    return fake


def digest_renderer(render_reads: FakeRenderReads) -> DigestRenderer:
    return DigestRenderer(Renderer(render_reads, FormatOptions(), clock=ManualClock(at(21))))


async def test_a_digest_lists_its_articles_in_order_with_the_ones_gone_left_out(
    render_reads: FakeRenderReads,
) -> None:
    post = await digest_renderer(render_reads)(digest_row({"articles": [3, 404, 1]}), CHANNEL)
    assert isinstance(post, Post)
    assert post.text.index("خبر رقم 3") < post.text.index("خبر رقم 1")
    assert "الأكثر قراءة اليوم" in post.text
    assert render_reads.calls == ["articles"]


async def test_a_digest_of_articles_all_gone_is_not_sent(render_reads: FakeRenderReads) -> None:
    assert await digest_renderer(render_reads)(digest_row({"articles": [7, 8]}), CHANNEL) is None


async def test_a_personal_digest_has_its_readers_language_and_title(
    render_reads: FakeRenderReads,
) -> None:
    data = {"articles": [2], "language": "en", "title": WEEKLY_TITLES["en"]}
    post = await digest_renderer(render_reads)(digest_row(data), CHANNEL)
    assert isinstance(post, Post)
    assert WEEKLY_TITLES["en"] in post.text


async def test_each_x_part_is_its_own_article_of_the_thread(
    render_reads: FakeRenderReads,
) -> None:
    renderer = digest_renderer(render_reads)
    second = await renderer(digest_row({"articles": [3, 2, 1], "part": 2}), X)
    beyond = await renderer(digest_row({"articles": [3, 2, 1], "part": 4}), X)
    assert isinstance(second, Post)
    assert second.platform is Platform.X
    assert "خبر رقم 2" in second.text
    assert beyond is None


async def test_a_batch_renders_digests_alone_and_hands_the_rest_to_the_renderer(
    render_reads: FakeRenderReads,
) -> None:
    article_post = Delivery(2, 1, DeliveryKind.NEW, DeliveryState.SENDING, article_id=1)
    digest, other = await digest_renderer(render_reads).render_batch(
        [(digest_row({"articles": [2, 3]}), CHANNEL), (article_post, CHANNEL)]
    )
    assert isinstance(digest, Post)
    assert "خبر رقم 2" in digest.text
    assert isinstance(other, Post)
    assert "خبر رقم 1" in other.text
    assert "الأكثر قراءة اليوم" not in other.text
