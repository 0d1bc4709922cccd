"""The reply hook on a simulated clock: which requests it admits, and how it gives up.

The end-to-end behaviour (three commands, three replies; a 429 waited out)
is in tests/integration/test_handlers_replies.py; here the group limit and the
attempt count are checked without waiting a real minute.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.core.ratelimit import ChatKind, TelegramLimiter
from handlers.replies import ReplyLimiter, chat_kind, seconds_of


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the bot's tests run PTB


class Clock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


class Chat:
    """The far side: records when each request arrived, refuses the first `refusals`."""

    def __init__(self, clock: Clock, refusals: int = 0, retry_after: int = 2) -> None:
        self.clock = clock
        self.refusals = refusals
        self.retry_after = retry_after
        self.arrivals: list[float] = []

    async def send(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.arrivals.append(self.clock.time())
        if self.refusals > 0:
            self.refusals -= 1
            raise RetryAfter(timedelta(seconds=self.retry_after))
        return {"ok": True}


def _hook(clock: Clock, *, handling: bool = True) -> ReplyLimiter:
    limiter = TelegramLimiter(now=clock.time, sleep=clock.sleep)
    return ReplyLimiter(limiter, handling=lambda: handling)


async def _reply(
    hook: ReplyLimiter, chat: Chat, chat_id: int | str, endpoint: str = "sendMessage"
) -> Any:
    data = {"chat_id": chat_id, "text": "hi"}
    return await hook.process_request(chat.send, (), {}, endpoint, data, None)


def test_chat_kinds_follow_telegrams_ids() -> None:
    assert chat_kind(5001) is ChatKind.PRIVATE
    assert chat_kind("5001") is ChatKind.PRIVATE
    assert chat_kind(-1001234567890) is ChatKind.GROUP
    assert chat_kind("@yemen_news") is ChatKind.GROUP
    assert seconds_of(RetryAfter(timedelta(seconds=3))) == 3.0


async def test_replies_to_one_group_keep_to_twenty_a_minute() -> None:
    clock = Clock()
    hook = _hook(clock)
    chat = Chat(clock)
    for _ in range(21):
        await _reply(hook, chat, -1009000000001)
    assert chat.arrivals[19] - chat.arrivals[0] < 1.0  # a burst of 20 is allowed
    assert chat.arrivals[20] - chat.arrivals[0] >= 60.0  # the 21st waits for the window


async def test_replies_to_one_private_chat_are_a_second_apart() -> None:
    clock = Clock()
    hook = _hook(clock)
    chat = Chat(clock)
    for _ in range(3):
        await _reply(hook, chat, 5001)
    gaps = [b - a for a, b in zip(chat.arrivals, chat.arrivals[1:], strict=False)]
    assert all(gap >= 1.0 for gap in gaps)


async def test_a_429_is_waited_out_then_the_reply_goes() -> None:
    clock = Clock()
    chat = Chat(clock, refusals=1, retry_after=2)
    assert await _reply(_hook(clock), chat, 5001) == {"ok": True}
    assert len(chat.arrivals) == 2
    assert chat.arrivals[1] - chat.arrivals[0] >= 2.0


async def test_a_reply_refused_again_and_again_is_given_up_after_three_attempts() -> None:
    clock = Clock()
    chat = Chat(clock, refusals=10, retry_after=1)
    with pytest.raises(RetryAfter):
        await _reply(_hook(clock), chat, 5001)
    assert len(chat.arrivals) == 3


async def test_a_chat_held_longer_than_a_reply_may_wait_is_not_even_tried() -> None:
    clock = Clock()
    hook = _hook(clock)
    chat = Chat(clock, refusals=1, retry_after=600)
    with pytest.raises(RetryAfter):
        await _reply(hook, chat, 5001)
    with pytest.raises(RetryAfter):  # the apology: held on our side, never sent
        await _reply(hook, chat, 5001)
    assert len(chat.arrivals) == 1


async def test_deliveries_and_calls_without_a_chat_pass_straight_through() -> None:
    clock = Clock()
    delivering = _hook(clock, handling=False)
    chat = Chat(clock)
    for _ in range(3):
        await _reply(delivering, chat, 5001)  # the delivery worker admitted these itself
    handling = _hook(clock)
    await handling.process_request(chat.send, (), {}, "answerCallbackQuery", {}, None)
    await handling.process_request(chat.send, (), {}, "getMe", {}, None)
    assert chat.arrivals == [1000.0] * 5
