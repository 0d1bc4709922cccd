"""docs/render_posts.py draws the demo's stored posts, and nothing the demo did not send."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "render_posts.py"


@pytest.fixture(scope="module")
def render() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_posts", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MESSAGE = {
    "chat": {"title": "ناشر — تجربة", "username": "nashir_demo"},
    "date": 1796426107,  # 02:15 in Aden
    "caption": "عنوان الخبر\n\nنص 😀 قصير\n\n#عدن",
    "caption_entities": [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "hashtag", "offset": 25, "length": 4},
    ],
    "reply_markup": {"inline_keyboard": [[{"text": "اقرأ المزيد", "url": "http://127.0.0.1:1/a"}]]},
}
TWEET = {
    "text": "عنوان الخبر\n\n#عدن\nhttp://127.0.0.1:39743/mobile/article/70104?utm_source=x",
    "created_at": 1796426107.3,
}


def test_the_caption_is_drawn_from_the_stored_text_and_entities(render: ModuleType) -> None:
    page = render.telegram_page(MESSAGE)
    assert "<b>عنوان الخبر</b>" in page
    assert '<a href="#">#عدن</a>' in page  # offsets counted in UTF-16, past the emoji
    assert '<div class="button">اقرأ المزيد</div>' in page
    assert '<div class="meta">02:15</div>' in page


def test_no_counter_the_demo_did_not_produce(render: ModuleType) -> None:
    pages = render.telegram_page(MESSAGE) + render.x_page(TWEET, "ناشر — تجربة", "nashir_demo")
    body = re.sub(r"<style>.*?</style>", "", pages, flags=re.S)
    assert "👁" not in body
    assert "مشاهدة" not in body
    assert not re.search(r"<span>[^<]*\d[^<]*</span>", body)  # the X action row has no numbers
    assert "127.0.0.1" not in body
    assert "@nashir_demo" in body
