"""Replies are never lost: bursts, 429s and apologies under Telegram's flood control.

The fake Bot API enforces Telegram's limits here (one message a second to a
private chat), and the app runs with Telegram's rates, so a reply sent too
soon would be refused exactly as Telegram refuses it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from handlers_kit import Harness, database, fresh_fake, running_app

from sandbox import wait_until_async

pytestmark = pytest.mark.asyncio(loop_scope="module")

TELEGRAM_RATES = {"NASHIR_PRIVATE_RATE": "1", "NASHIR_GROUP_RATE": "20"}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database("sqlite", Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(db_url: str) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    fake.limits(True)
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(db_url, server.url, fake, **TELEGRAM_RATES):
            yield harness


def _texts(bot: Harness, chat: int) -> list[str]:
    return [m.get("text") or "" for m in bot.replies(chat)]


async def test_three_commands_within_a_second_get_three_replies_in_order(bot: Harness) -> None:
    refused = bot.fake.count_429
    for command in ("/help", "/latest", "/lang"):
        bot.fake.user_sends(5001, command)
    await wait_until_async(lambda: len(_texts(bot, 5001)) >= 3, timeout=10)
    help_reply, latest, lang = _texts(bot, 5001)
    assert help_reply.startswith("الأوامر:")
    assert latest == "لا توجد أخبار بعد."
    assert lang == "الاستخدام: /lang ar أو /lang en"
    assert bot.fake.count_429 == refused


async def test_one_readers_burst_does_not_hold_up_another_reader(bot: Harness) -> None:
    for _ in range(4):
        bot.fake.user_sends(5002, "/latest")
    bot.fake.user_sends(5003, "/latest")
    await wait_until_async(lambda: len(_texts(bot, 5003)) == 1, timeout=10)
    assert len(_texts(bot, 5002)) < 4  # the burst is still being spaced out
    await wait_until_async(lambda: len(_texts(bot, 5002)) == 4, timeout=10)


async def test_a_429_on_a_reply_is_waited_out_and_the_reply_arrives(bot: Harness) -> None:
    bot.fake.fault("flood", method="sendMessage", chat_id=5004, retry_after=2, times=1)
    early = bot.fake.early_retries
    started = time.monotonic()
    [reply] = await bot.send(5004, "/latest")
    assert reply["text"] == "لا توجد أخبار بعد."
    assert time.monotonic() - started >= 2
    assert bot.fake.early_retries == early


async def test_a_reply_held_too_long_is_given_up_and_the_apology_not_retried(
    bot: Harness,
) -> None:
    refused = bot.fake.count_429
    bot.fake.fault("flood", method="sendMessage", chat_id=5005, retry_after=300, times=None)
    try:
        bot.fake.user_sends(5005, "/latest")
        [other] = await bot.send(5006, "/latest")  # the bot goes on serving others
        assert other["text"] == "لا توجد أخبار بعد."
        await wait_until_async(lambda: bot.fake.count_429 > refused, timeout=10)
        [again] = await bot.send(5006, "/help")  # long after the apology could have retried
        assert again["text"].startswith("الأوامر:")
    finally:
        bot.fake.clear_faults()
    assert bot.fake.count_429 == refused + 1  # one refusal; the apology waited on our side
    assert bot.fake.early_retries == 0
    assert _texts(bot, 5005) == []
