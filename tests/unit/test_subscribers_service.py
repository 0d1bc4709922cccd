"""The subscriber side on an in-memory fake of its store: the rules of following, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from reader_fakes import Readers

from bot.core.clock import ManualClock
from bot.core.model import Article
from bot.services.subscribers import MAX_UNSEEN, Outcome, Reader, Subscribers

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ALI = Reader(user_id=11, chat_id=11, language="ar")
SARA = Reader(user_id=22, chat_id=22, language="en")


def story(
    number: int,
    tags: tuple[str, ...] = (),
    reads: int | None = None,
    published_at: datetime = NOW - timedelta(hours=1),
) -> Article:
    return Article(
        id=number,
        url=f"https://news.example/{number}",
        title=f"خبر {number}",
        tags=tags,
        reads=reads,
        published_at=published_at,
    )


@pytest.fixture
def state() -> Readers:
    readers = Readers()
    readers.add_tag("الأمم المتحدة", "امم متحده")
    readers.add_tag("الطقس", "طقس")
    readers.articles = [story(1, ("الأمم المتحدة",)), story(2, ("الطقس",)), story(3, ("الطقس",))]
    return readers


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def service(state: Readers, clock: ManualClock) -> Subscribers:
    return Subscribers(state.units(), clock)


async def test_subscribing_twice_is_one_subscriber_and_a_blocked_one_comes_back(
    service: Subscribers, state: Readers
) -> None:
    first, new = await service.subscribe(ALI)
    again, new_again = await service.subscribe(ALI)
    assert (new, new_again) == (True, False)
    assert first.id == again.id
    await service.blocked(ALI.chat_id, "Forbidden: bot was blocked by the user")
    assert await service.counts() == (0, 1)
    back, _ = await service.subscribe(ALI)
    assert back.state == "active"
    assert await service.counts() == (1, 0)


async def test_following_forgives_spelling_and_subscribes_on_the_way(
    service: Subscribers, state: Readers
) -> None:
    result = await service.follow(ALI, "#امم_المتحده")
    assert result.outcome is Outcome.DONE
    assert result.tag is not None
    assert result.tag.name == "الأمم المتحدة"
    assert not result.unseen
    assert await service.get(ALI.user_id) is not None
    assert (await service.follow(ALI, "الامم المتحدة")).outcome is Outcome.ALREADY
    assert [t.name for t in await service.following(ALI.user_id)] == ["الأمم المتحدة"]


async def test_a_tag_no_story_carries_yet_is_kept_under_the_readers_words(
    service: Subscribers, state: Readers
) -> None:
    result = await service.follow(ALI, "#كأس_العالم")
    assert result.outcome is Outcome.DONE
    assert result.tag is not None
    assert result.tag.name == "كأس العالم"
    assert result.unseen
    assert "كأس العالم" in {name for name, _ in state.tags.values()}


async def test_words_that_cannot_be_a_tag_follow_nothing(
    service: Subscribers, state: Readers
) -> None:
    result = await service.follow(ALI, "#!!")
    assert result.outcome is Outcome.UNKNOWN
    assert state.follows == set()
    assert len(state.tags) == 2


async def test_a_reader_follows_at_most_so_many_tags_no_story_carries(
    service: Subscribers, state: Readers
) -> None:
    for number in range(MAX_UNSEEN):
        assert (await service.follow(ALI, f"وسم {number}")).outcome is Outcome.DONE
    tags_before = dict(state.tags)
    result = await service.follow(ALI, "وسم أخير")
    assert result.outcome is Outcome.TOO_MANY
    assert state.tags == tags_before
    assert (await service.follow(ALI, "الطقس")).outcome is Outcome.DONE  # a carried tag still may


async def test_unfollowing_a_tag_only_this_reader_wrote_deletes_it_a_carried_one_stays(
    service: Subscribers, state: Readers
) -> None:
    written = await service.follow(ALI, "كأس العالم")
    await service.follow(ALI, "الطقس")
    await service.follow(SARA, "الطقس")
    assert (await service.unfollow(ALI.user_id, "كاس العالم")).outcome is Outcome.DONE
    assert written.tag is not None
    assert written.tag.id not in state.tags
    assert (await service.unfollow(ALI.user_id, "طقس")).outcome is Outcome.DONE
    assert "الطقس" in {name for name, _ in state.tags.values()}
    assert [t.name for t in await service.following(SARA.user_id)] == ["الطقس"]


async def test_unfollowing_what_is_not_followed_suggests_from_the_followed_tags(
    service: Subscribers,
) -> None:
    await service.follow(ALI, "الطقس")
    result = await service.unfollow(ALI.user_id, "الطقص")
    assert result.outcome is Outcome.UNKNOWN
    assert [t.name for t in result.suggestions] == ["الطقس"]
    assert (await service.unfollow(SARA.user_id, "الطقس")).outcome is Outcome.UNKNOWN


async def test_buttons_follow_and_unfollow_by_id_and_a_gone_tag_is_unknown(
    service: Subscribers,
) -> None:
    assert (await service.follow_id(ALI, 2)).outcome is Outcome.DONE
    assert (await service.follow_id(ALI, 2)).outcome is Outcome.ALREADY
    assert (await service.follow_id(ALI, 99)).outcome is Outcome.UNKNOWN
    assert (await service.unfollow_id(ALI.user_id, 2)).outcome is Outcome.DONE
    assert (await service.unfollow_id(ALI.user_id, 2)).outcome is Outcome.ALREADY
    assert (await service.unfollow_id(ALI.user_id, 99)).outcome is Outcome.UNKNOWN
    assert (await service.unfollow_id(SARA.user_id, 2)).outcome is Outcome.UNKNOWN


async def test_stop_forgets_the_reader_and_the_tags_only_they_wrote(
    service: Subscribers, state: Readers
) -> None:
    await service.follow(ALI, "كأس العالم")
    await service.follow(ALI, "الطقس")
    await service.follow(SARA, "الطقس")
    assert await service.stop(ALI.user_id)
    assert await service.get(ALI.user_id) is None
    assert sorted(name for name, _ in state.tags.values()) == ["الأمم المتحدة", "الطقس"]
    assert len(state.follows) == 1
    assert not await service.stop(ALI.user_id)


async def test_digest_and_language_choices_are_kept(service: Subscribers) -> None:
    chosen = await service.set_digest(ALI, "daily", 7)
    assert (chosen.digest, chosen.digest_hour) == ("daily", 7)
    kept = await service.set_digest(ALI, "weekly", None)
    assert (kept.digest, kept.digest_hour) == ("weekly", 7)
    await service.set_language(SARA, "ar")
    found = await service.get(SARA.user_id)
    assert found is not None
    assert found.language == "ar"


async def test_top_reads_today_or_this_week_by_the_clock(
    service: Subscribers, state: Readers
) -> None:
    state.articles = [
        story(1, reads=50, published_at=NOW - timedelta(hours=2)),
        story(2, reads=90, published_at=NOW - timedelta(days=3)),
        story(3),
    ]
    assert [a.id for a in await service.top("day", 5)] == [1]
    assert [a.id for a in await service.top("week", 5)] == [2, 1]


async def test_popular_tags_count_their_stories(service: Subscribers) -> None:
    popular = await service.popular_tags(5)
    assert [(tag.name, count) for tag, count in popular] == [("الطقس", 2), ("الأمم المتحدة", 1)]
    assert [a.id for a in await service.latest(2)] == [3, 2]


async def test_a_use_case_that_stops_halfway_commits_nothing(
    service: Subscribers, state: Readers
) -> None:
    for number in range(MAX_UNSEEN):
        await service.follow(ALI, f"وسم {number}")
    commits = state.commits
    await service.follow(ALI, "وسم أخير")  # subscribes (one commit), then refuses
    assert state.commits == commits + 1
