"""Text from the site never becomes markup in a bot reply (posts are covered by the formatters).

A headline written to inject markup (`<script>`, a fake link, a stray `&`)
is stored, then a reader asks `/latest`: the fake Bot API must accept the
reply as Telegram HTML, show the headline literally, and carry no entity
the bot did not put there (only its own bold title and the headline's link).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from handlers_kit import Harness, draft, fresh_fake, running_app

from bot.core.text.telegram_html import TelegramHTMLError, parse_html

HOSTILE = 'عاجل <script>alert(1)</script> & <a href="https://evil.example">اضغط</a> <b>x'


@pytest.fixture
def fake_server() -> Iterator[tuple[object, str]]:
    fake = fresh_fake()
    with fake.server() as server:
        yield fake, server.url


@pytest.fixture
async def bot(database_url: str, fake_server: tuple[object, str]) -> AsyncIterator[Harness]:
    fake, url = fake_server
    async for harness in running_app(database_url, url, fake):  # type: ignore[arg-type]
        yield harness


async def test_a_hostile_headline_is_shown_literally_in_latest(bot: Harness) -> None:
    await bot.store(draft("hostile", HOSTILE))
    [reply] = await bot.send(2001, "/latest 1", language="en")
    # The fake Bot API parsed the HTML as Telegram does (a bad tag would be a 400) and
    # keeps what a reader sees: the text, and the entities apart from it.
    assert HOSTILE in reply["text"]
    entities = reply["entities"]
    assert sorted(e["type"] for e in entities) == ["bold", "text_link"]
    assert [e["url"] for e in entities if "url" in e] == ["https://news.example/hostile"]


def test_the_fake_refuses_what_telegram_would_refuse() -> None:
    """The check above means something: unescaped, the headline is not valid Telegram HTML."""
    with pytest.raises(TelegramHTMLError, match="Unsupported start tag"):
        parse_html(f"<b>x</b> {HOSTILE}", strict=False)
