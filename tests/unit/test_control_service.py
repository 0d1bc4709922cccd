"""The pause switch on an in-memory fake of its flag; no database."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.control import is_paused, set_paused

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class FakePauseFlag:
    """`PauseFlag` in memory, with when it was last written."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value
        self.written_at: datetime | None = None

    async def read(self) -> str | None:
        return self.value

    async def write(self, value: str, now: datetime) -> None:
        self.value = value
        self.written_at = now


async def test_a_bot_never_paused_posts() -> None:
    assert not await is_paused(FakePauseFlag())


async def test_pausing_and_resuming_are_kept_in_the_shared_flag() -> None:
    flag = FakePauseFlag()
    await set_paused(flag, True, NOW)
    assert await is_paused(flag)
    assert (flag.value, flag.written_at) == ("1", NOW)
    await set_paused(flag, False, NOW)
    assert not await is_paused(flag)
    assert flag.value == "0"


async def test_only_the_paused_value_pauses() -> None:
    assert not await is_paused(FakePauseFlag(""))
    assert not await is_paused(FakePauseFlag("true"))
    assert await is_paused(FakePauseFlag("1"))
