"""The admin commands on in-memory fakes of their store and outbox, no database.

Commands that fetch a page or a feed (/post, /preview, /addsource) reach the
network through the fetcher; tests/integration/test_post_now.py and
test_handlers_admin.py cover them against the demo site.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from admin_fakes import FakeAdminStore, FakePolls
from publishing_fakes import FakeOutbox
from rendering_fakes import FakeRenderReads

from bot.core.admin_ports import HeldBatch, Overview
from bot.core.clock import ManualClock
from bot.core.errors import UserInputError
from bot.core.formatting import FormatOptions
from bot.core.model import Article, DestinationKind, Source
from bot.core.revision_guard import HeldChange
from bot.services.admin_service import AdminOptions, AdminService
from bot.services.publishing import Publishing, PublishingOptions
from bot.services.rendering import Renderer

ZONE = ZoneInfo("Asia/Riyadh")  # UTC+3
NOW = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)  # 04:30 in Riyadh


class Switch:
    """The pause flag, and what the removal was asked to delete."""

    def __init__(self) -> None:
        self.paused = False
        self.set_at: list[tuple[bool, datetime]] = []
        self.deleted: list[int] = []
        self.revised: list[int] = []

    async def is_paused(self) -> bool:
        return self.paused

    async def set_paused(self, paused: bool, now: datetime) -> None:
        self.paused = paused
        self.set_at.append((paused, now))

    async def delete(self, article_id: int) -> str:
        self.deleted.append(article_id)
        return f"deleted {article_id}"

    async def revise(self, article_id: int) -> None:
        self.revised.append(article_id)


async def _nothing() -> None:
    return None


@pytest.fixture
def store() -> FakeAdminStore:
    fake = FakeAdminStore()
    fake.add(Article(id=1, url="https://news.example/a/1", title="خبر أول"))
    fake.add(Article(id=2, url="https://news.example/a/2", title="خبر ثان"))
    fake.sources_kept = [
        Source(id=1, url="https://news.example/feed"),
        Source(id=2, url="https://news.example/other.xml"),
    ]
    return fake


@pytest.fixture
def switch() -> Switch:
    return Switch()


@pytest.fixture
def outbox() -> FakeOutbox:
    state = FakeOutbox()
    state.subscribers(3)
    return state


@pytest.fixture
def polls() -> FakePolls:
    return FakePolls(polled=[1, 2])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def admin(
    store: FakeAdminStore,
    switch: Switch,
    outbox: FakeOutbox,
    polls: FakePolls,
    clock: ManualClock,
) -> AdminService:
    publishing = Publishing(
        outbox.units(), clock, PublishingOptions(min_gap=0), search=lambda p, t: False
    )
    return AdminService(
        store,
        clock,
        fetcher=cast(Any, None),  # not reached: no command here fetches
        ingestor=cast(Any, None),
        publishing=publishing,
        renderer=Renderer(FakeRenderReads(), FormatOptions(), clock=clock),
        publishers={},
        budget=None,
        polls=polls,
        ensure_destinations=_nothing,
        revise=switch.revise,
        delete_article=switch.delete,
        is_paused=switch.is_paused,
        set_paused=switch.set_paused,
        options=AdminOptions(zone=ZONE, allow_private_urls=False),
    )


async def test_stats_count_today_from_local_midnight_and_queued_as_pending_or_sending(
    admin: AdminService, store: FakeAdminStore, switch: Switch
) -> None:
    store.counts = Overview(
        active=5,
        blocked=2,
        posts=[("telegram:@news", 4)],
        failed=1,
        states={"pending": 3, "sending": 2, "sent": 40, "failed": 1},
        sources=[],
    )
    switch.paused = True
    stats = await admin.stats()
    assert store.asked_since == [datetime(2026, 3, 1, tzinfo=ZONE)]
    assert (stats.active, stats.blocked, stats.queued, stats.failed_today) == (5, 2, 5, 1)
    assert stats.posts_today == [("telegram:@news", 4)]
    assert [s.id for s in stats.sources] == [1, 2]
    assert stats.x_budget is None
    assert stats.paused is True


async def test_activity_buckets_the_last_day_of_sending_by_hour(
    admin: AdminService, store: FakeAdminStore
) -> None:
    store.sent = [
        ("telegram:@news", NOW - timedelta(minutes=20), NOW - timedelta(minutes=10)),
        ("telegram:@news", NOW - timedelta(hours=3), NOW - timedelta(hours=3)),
        ("telegram:@news", NOW - timedelta(days=3), NOW - timedelta(days=3)),
    ]
    found = await admin.activity()
    assert store.asked_since == [NOW - timedelta(hours=25)]
    assert found.sent == 2


async def test_applying_held_changes_retitles_the_articles_and_edits_their_posts(
    admin: AdminService, store: FakeAdminStore, switch: Switch
) -> None:
    change = HeldChange(1, "خبر أول", "عنوان جديد", "عنوان جديد", None)
    store.held[1] = HeldBatch(1, "https://news.example/feed", "mass edit", (change,), NOW)
    assert [b.source_id for b in await admin.held_revisions()] == [1]
    assert await admin.apply_held(1) == 1
    assert store.articles[1].title == "عنوان جديد"
    assert switch.revised == [1]
    with pytest.raises(UserInputError, match="no held changes for that source"):
        await admin.apply_held(1)


async def test_dropping_held_changes_keeps_the_old_text(
    admin: AdminService, store: FakeAdminStore, switch: Switch
) -> None:
    change = HeldChange(2, "خبر ثان", "عنوان آخر", "عنوان آخر", None)
    store.held[1] = HeldBatch(1, "https://news.example/feed", "misreading", (change,), NOW)
    assert await admin.drop_held(1) == 1
    assert store.articles[2].title == "خبر ثان"
    assert switch.revised == []
    assert await admin.held_revisions() == []
    with pytest.raises(UserInputError, match="no held changes for that source"):
        await admin.drop_held(1)


async def test_an_article_is_named_by_its_id_or_any_url_of_the_story(
    admin: AdminService,
) -> None:
    assert (await admin.article(" 2 ")).id == 2
    assert (await admin.article("http://news.example/a/1?utm_source=x")).id == 1
    with pytest.raises(UserInputError, match="give an article id or URL"):
        await admin.article("yesterday's story")
    with pytest.raises(UserInputError, match="no such article"):
        await admin.article("99")


async def test_skip_and_delete_act_on_the_article_named(
    admin: AdminService, store: FakeAdminStore, switch: Switch
) -> None:
    assert (await admin.skip("1")).id == 1
    assert store.skipped == {1}
    article, result = await admin.delete("https://news.example/a/2")
    assert (article.id, result) == (2, "deleted 2")
    assert switch.deleted == [2]


async def test_removing_a_source_by_id_or_url_stops_its_polls(
    admin: AdminService, store: FakeAdminStore, polls: FakePolls
) -> None:
    assert (await admin.remove_source("2")).url == "https://news.example/other.xml"
    assert (await admin.remove_source("https://news.example/feed")).id == 1
    assert store.sources_kept == []
    assert polls.polled == []
    with pytest.raises(UserInputError, match="no such source"):
        await admin.remove_source("3")


async def test_the_audit_keeps_who_did_what_when_with_a_bounded_detail(
    admin: AdminService, store: FakeAdminStore, clock: ManualClock
) -> None:
    await admin.audit(7, "broadcast", "x" * 900, allowed=True)
    clock.advance(60)
    await admin.audit(None, "pause", None, allowed=False)
    first, second = store.entries
    assert first.detail == "x" * 500
    assert (first.at, second.at) == (NOW, NOW + timedelta(seconds=60))
    assert [e.action for e in await admin.audit_log(1)] == ["pause"]


async def test_pausing_is_stamped_with_the_clocks_time(admin: AdminService, switch: Switch) -> None:
    await admin.set_paused(True)
    assert await admin.paused()
    assert switch.set_at == [(True, NOW)]


async def test_a_broadcast_reaches_every_subscriber_once_however_often_it_is_pressed(
    admin: AdminService, store: FakeAdminStore, outbox: FakeOutbox
) -> None:
    store.recipients = 3
    assert await admin.recipients() == 3
    assert await admin.broadcast("تحديث مهم", "tok1") == 3
    assert await admin.broadcast("تحديث مهم", "tok1") == 0
    rows = outbox.keyed("broadcast:tok1")
    assert sorted(rows) == [d.id for d in outbox.destinations if d.kind is DestinationKind.PRIVATE]
    assert {row.post.payload for row in rows.values()} == {"تحديث مهم"}
