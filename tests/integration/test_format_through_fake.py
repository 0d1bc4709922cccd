"""Random posts under random valid templates, sent over HTTP to the fake Bot API.

The fake parses, cleans, fixes and trims as tdlib does; what it stores is what a
reader gets. No post is refused, counted over its limit, stripped of a link or
turned left to right.
"""

from __future__ import annotations

import dataclasses
import sys
import unicodedata
from pathlib import Path

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.formatting import FormatOptions, format_telegram
from bot.core.formatting.templates import TemplateError, validate_template
from bot.core.model import Article, Platform
from sandbox import FakeTelegram

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
from test_format_properties import articles
from test_format_tdlib_rules import mixed_tags, templates


def _right_to_left(line: str) -> bool:
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in {"L", "R", "AL"}:
            return kind != "L"
    return True


def test_random_posts_are_stored_whole_by_the_fake_bot_api() -> None:
    fake = FakeTelegram()
    fake.limits(enabled=False)
    chats = iter(range(9_000_001, 9_100_000))
    with fake.server() as server, httpx.Client(timeout=5) as client:
        base = f"{server.url}/bot{fake.token}"

        @settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(articles(), templates(), st.sampled_from(["ar", "en"]), mixed_tags)
        def check(article: Article, template: str, language: str, tags: list[str]) -> None:
            if tags:
                article = dataclasses.replace(article, tags=tuple(tags))
            try:
                validate_template(template, Platform.TELEGRAM)
            except TemplateError:
                assume(False)
            options = FormatOptions(
                language=language, telegram_template=template, telegram_hashtags=4
            )
            post = format_telegram(article, options)
            chat = fake.add_user(next(chats))
            if post.image:
                method, field = "sendPhoto", "caption"
                payload = {"chat_id": chat, "photo": post.image, "caption": post.text}
            else:
                method, field = "sendMessage", "text"
                payload = {"chat_id": chat, "text": post.text}
            payload["parse_mode"] = "HTML"
            answer = client.post(f"{base}/{method}", json=payload).json()
            assert answer["ok"], answer
            message = answer["result"]
            stored = message.get(field, "")
            assert len(stored) == post.length <= (1024 if post.image else 4096)
            entities = message.get("caption_entities" if post.image else "entities", [])
            assert sum(e["type"] == "text_link" for e in entities) == post.text.count("<a href=")
            if language == "ar":
                for line in stored.split("\n"):
                    if not line.strip() or line.strip().startswith(("http://", "https://")):
                        continue
                    assert _right_to_left(line), line

        check()
