"""The quiet-site watch on an in-memory fake of its port: once per spell, nights do not count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock
from bot.core.watch_ports import QuietState
from bot.services.watch import QuietWatchOptions, check_site_quiet

ADEN = ZoneInfo("Asia/Aden")  # UTC+3
OPTIONS = QuietWatchOptions(quiet_site_hours=3, publishing_hours="07:00-23:00", zone=ADEN)


class FakeQuietWatch:
    """`QuietWatchStore` in memory; counts its reads."""

    def __init__(self) -> None:
        self.last_seen: datetime | None = None
        self.alerted: str | None = None
        self.reads = 0

    async def state(self) -> QuietState:
        self.reads += 1
        return QuietState(self.last_seen, self.alerted)

    async def mark_alerted(self, spell: str, now: datetime) -> None:
        self.alerted = spell


class Admins:
    def __init__(self) -> None:
        self.told: list[str] = []

    async def __call__(self, text: str) -> None:
        self.told.append(text)


@pytest.fixture
def store() -> FakeQuietWatch:
    return FakeQuietWatch()


@pytest.fixture
def admins() -> Admins:
    return Admins()


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    """A time in Aden, as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=ADEN).astimezone(UTC)


async def test_the_admins_are_told_once_per_quiet_spell(
    store: FakeQuietWatch, admins: Admins
) -> None:
    store.last_seen = at(10)
    clock = ManualClock(at(12))
    found = await check_site_quiet(store, clock, OPTIONS, admins)
    assert found == "last article 2.0 publishing hours ago"
    assert admins.told == []
    clock.set(at(13, 30))
    found = await check_site_quiet(store, clock, OPTIONS, admins)
    assert found == "quiet for 3.5 publishing hours: admins alerted"
    assert len(admins.told) == 1
    assert "No new article for 3.5 publishing hours (last seen 2026-03-01 10:00)" in admins.told[0]
    clock.set(at(15))
    found = await check_site_quiet(store, clock, OPTIONS, admins)
    assert found == "quiet for 5.0 publishing hours (admins told)"
    assert len(admins.told) == 1


async def test_a_new_article_ends_the_spell_and_the_next_silence_is_told_again(
    store: FakeQuietWatch, admins: Admins
) -> None:
    store.last_seen = at(8)
    await check_site_quiet(store, ManualClock(at(12)), OPTIONS, admins)
    store.last_seen = at(13)
    await check_site_quiet(store, ManualClock(at(17)), OPTIONS, admins)
    assert len(admins.told) == 2
    assert store.alerted == at(13).isoformat()


async def test_hours_outside_publishing_do_not_count(store: FakeQuietWatch, admins: Admins) -> None:
    store.last_seen = at(22)
    found = await check_site_quiet(store, ManualClock(at(23, 30)), OPTIONS, admins)
    assert found == "outside publishing hours"
    found = await check_site_quiet(store, ManualClock(at(8, day=2)), OPTIONS, admins)
    assert found == "last article 2.0 publishing hours ago"  # 22-23 and 07-08 only
    assert admins.told == []


async def test_nothing_to_watch_before_the_first_article(
    store: FakeQuietWatch, admins: Admins
) -> None:
    found = await check_site_quiet(store, ManualClock(at(12)), OPTIONS, admins)
    assert found == "no article yet"
    assert admins.told == []


async def test_the_watch_switched_off_reads_nothing(store: FakeQuietWatch, admins: Admins) -> None:
    off = QuietWatchOptions(quiet_site_hours=0, publishing_hours="07:00-23:00", zone=ADEN)
    store.last_seen = at(1, day=1) - timedelta(days=5)
    assert await check_site_quiet(store, ManualClock(at(12)), off, admins) == "off"
    assert store.reads == 0
    assert admins.told == []


async def test_a_quiet_spell_is_remembered_without_anyone_to_tell(store: FakeQuietWatch) -> None:
    store.last_seen = at(8)
    found = await check_site_quiet(store, ManualClock(at(12)), OPTIONS, None)
    assert found == "quiet for 4.0 publishing hours: admins alerted"
    assert store.alerted == at(8).isoformat()
