"""The renderer on an in-memory fake of its reads: the post each outbox row becomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from rendering_fakes import FakeRenderReads, Waiting

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
    SocialLinks,
)
from bot.services.follow_posts import MAX_GROUP, TITLES
from bot.services.rendering import OPTIONS_TTL, Renderer

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHANNEL = Destination(1, Platform.TELEGRAM, DestinationKind.CHANNEL, "@news")
OTHER_CHANNEL = Destination(2, Platform.TELEGRAM, DestinationKind.CHANNEL, "@more")
X = Destination(3, Platform.X, DestinationKind.X_ACCOUNT, "me")


def chat(number: int) -> Destination:
    return Destination(100 + number, Platform.TELEGRAM, DestinationKind.PRIVATE, str(5000 + number))


def story(number: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "url": f"https://news.example/{number}",
        "title": f"خبر رقم {number}",
        "body": "نص الخبر كاملا.",
        "published_at": NOW,
    }
    values.update(fields)
    return Article(id=number, **values)  # type: ignore[arg-type]


def row(
    number: int,
    destination: Destination,
    article_id: int | None,
    kind: DeliveryKind = DeliveryKind.NEW,
    payload: str | None = None,
) -> Delivery:
    return Delivery(
        id=number,
        destination_id=destination.id,
        kind=kind,
        state=DeliveryState.SENDING,
        article_id=article_id,
        payload=payload,
    )


@pytest.fixture
def reads() -> FakeRenderReads:
    return FakeRenderReads()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def renderer(reads: FakeRenderReads, clock: ManualClock, **kwargs: object) -> Renderer:
    return Renderer(reads, FormatOptions(), clock=clock, **kwargs)  # type: ignore[arg-type]


async def test_a_channel_post_links_its_article_tagged_for_telegram(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1))
    post = await renderer(reads, clock)(row(1, CHANNEL, 1), CHANNEL)
    assert post is not None
    assert post.platform is Platform.TELEGRAM
    assert "خبر رقم 1" in post.text
    assert "utm_source=telegram" in post.link


async def test_a_private_chat_gets_dm_links_and_x_gets_x_links_and_the_picture(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1, image="https://news.example/1.jpg"))
    service = renderer(reads, clock)
    dm = await service(row(1, chat(1), 1), chat(1))
    tweet = await service(row(2, X, 1), X)
    assert dm is not None
    assert "utm_source=dm" in dm.link
    assert tweet is not None
    assert tweet.platform is Platform.X
    assert "utm_source=x" in tweet.link
    assert tweet.image == "https://news.example/1.jpg"


async def test_a_gone_article_gives_no_post(reads: FakeRenderReads, clock: ManualClock) -> None:
    assert await renderer(reads, clock)(row(1, CHANNEL, 404), CHANNEL) is None


async def test_an_admins_headline_replaces_the_stored_one(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1))
    payload = json.dumps({"title": "عنوان المحرر"})
    post = await renderer(reads, clock)(row(1, CHANNEL, 1, payload=payload), CHANNEL)
    assert post is not None
    assert "عنوان المحرر" in post.text
    assert "خبر رقم 1" not in post.text


async def test_breaking_and_trending_posts_carry_their_labels(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1, breaking=True))
    reads.add(story(2))
    service = renderer(reads, clock)
    breaking = await service(row(1, CHANNEL, 1), CHANNEL)
    trending = await service(row(2, CHANNEL, 2, DeliveryKind.TRENDING), CHANNEL)
    plain = await service(row(3, CHANNEL, 2), CHANNEL)
    assert breaking is not None
    assert "عاجل" in breaking.text
    assert trending is not None
    assert "الأكثر قراءة" in trending.text
    assert plain is not None
    assert "الأكثر قراءة" not in plain.text
    assert "عاجل" not in plain.text


async def test_a_message_without_article_is_its_text_escaped(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    post = await renderer(reads, clock)(
        row(1, chat(1), None, DeliveryKind.BROADCAST, payload="a <b> & c"), chat(1)
    )
    assert post == Post(
        platform=Platform.TELEGRAM,
        text="a &lt;b&gt; &amp; c",
        plain_text="a <b> & c",
        link="",
        length=9,
    )
    assert reads.calls == []


async def test_copies_of_one_channel_post_are_read_and_formatted_once(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1))
    items = [(row(1, CHANNEL, 1), CHANNEL), (row(2, OTHER_CHANNEL, 1), OTHER_CHANNEL)]
    first, second = await renderer(reads, clock).render_batch(items)
    assert isinstance(first, Post)
    assert first is second
    assert reads.calls == ["article"]


async def test_followed_tag_messages_of_a_batch_cost_one_read_and_group_per_chat(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    for number in (1, 2, 3):
        reads.add(story(number))
    reads.languages[5002] = "en"
    reads.waiting = [
        Waiting(11, chat(1).id, 1, NOW),
        Waiting(12, chat(1).id, 2, NOW + timedelta(seconds=5)),
        Waiting(13, chat(2).id, 3, NOW),
    ]
    items = [
        (row(11, chat(1), 1, DeliveryKind.FOLLOW), chat(1)),
        (row(12, chat(1), 2, DeliveryKind.FOLLOW), chat(1)),
        (row(13, chat(2), 3, DeliveryKind.FOLLOW), chat(2)),
    ]
    grouped, carried, single = await renderer(reads, clock).render_batch(items)
    assert reads.calls == ["follow_batch"]
    assert isinstance(grouped, Post)
    assert grouped.text.startswith(f"<b>{TITLES['ar']}</b>")
    assert "خبر رقم 1" in grouped.text
    assert "خبر رقم 2" in grouped.text
    assert carried is None  # it went out inside the first chat's message
    assert isinstance(single, Post)
    assert "خبر رقم 3" in single.text
    assert "utm_source=dm" in single.link


async def test_a_reader_who_chose_english_gets_english_titles(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1))
    reads.add(story(2))
    reads.languages[5001] = "en"
    reads.waiting = [Waiting(11, chat(1).id, 1, NOW), Waiting(12, chat(1).id, 2, NOW)]
    [post] = await renderer(reads, clock).render_batch(
        [(row(11, chat(1), 1, DeliveryKind.FOLLOW), chat(1))]
    )
    assert isinstance(post, Post)
    assert post.text.startswith(f"<b>{TITLES['en']}</b>")


async def test_posts_due_within_the_window_join_up_to_the_group_size_the_rest_wait(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    for number in range(1, MAX_GROUP + 4):
        reads.add(story(number))
    reads.waiting = [Waiting(11, chat(1).id, 1, NOW)]
    reads.waiting.append(Waiting(12, chat(1).id, 2, NOW + timedelta(seconds=20)))
    reads.waiting.append(Waiting(13, chat(1).id, 3, NOW + timedelta(minutes=5)))
    await renderer(reads, clock).render_batch([(row(11, chat(1), 1, DeliveryKind.FOLLOW), chat(1))])
    assert [w.article_id for w in reads.waiting if not w.done] == [3]  # not due yet
    reads.waiting = [Waiting(20 + n, chat(2).id, n, NOW) for n in range(1, MAX_GROUP + 2)]
    await renderer(reads, clock).render_batch([(row(21, chat(2), 1, DeliveryKind.FOLLOW), chat(2))])
    assert [w.article_id for w in reads.waiting if not w.done] == [MAX_GROUP + 1]


async def test_a_bad_row_costs_only_its_own_followed_tag_message(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    reads.add(story(1))
    reads.add(story(2))
    reads.waiting = [Waiting(11, chat(1).id, 1, NOW), Waiting(12, chat(2).id, 2, NOW)]
    reads.broken = {12}
    good, bad = await renderer(reads, clock).render_batch(
        [
            (row(11, chat(1), 1, DeliveryKind.FOLLOW), chat(1)),
            (row(12, chat(2), 2, DeliveryKind.FOLLOW), chat(2)),
        ]
    )
    assert isinstance(good, Post)
    assert "خبر رقم 1" in good.text
    assert isinstance(bad, RuntimeError)
    assert reads.calls == ["follow_batch"] * 3  # the batch, then each one alone


async def test_a_failing_article_read_is_that_deliverys_result_alone(
    clock: ManualClock,
) -> None:
    class Failing(FakeRenderReads):
        async def article(self, article_id: int) -> Article | None:
            if article_id == 2:
                raise OSError("store unreachable")
            return await super().article(article_id)

    reads = Failing()
    reads.add(story(1))
    first, second = await renderer(reads, clock).render_batch(
        [(row(1, CHANNEL, 1), CHANNEL), (row(2, CHANNEL, 2), CHANNEL)]
    )
    assert isinstance(first, Post)
    assert isinstance(second, OSError)


async def test_the_sites_social_links_are_read_at_most_once_a_ttl_and_settings_win(
    reads: FakeRenderReads, clock: ManualClock
) -> None:
    asked: list[datetime] = []

    async def social() -> SocialLinks:
        asked.append(clock.now())
        return SocialLinks(youtube="https://youtube.example/site", x="https://x.example/site")

    service = renderer(
        reads, clock, social=social, overrides=SocialLinks(x="https://x.example/ours")
    )
    first = await service.current_options()
    clock.advance(OPTIONS_TTL.total_seconds() / 2)
    await service.current_options()
    assert len(asked) == 1
    clock.advance(OPTIONS_TTL.total_seconds())
    await service.current_options()
    assert len(asked) == 2
    assert first.social.youtube == "https://youtube.example/site"
    assert first.social.x == "https://x.example/ours"
