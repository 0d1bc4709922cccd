"""`nashir ingest` and `nashir preview` show the author a page names; `--store` keeps it."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.cli import main
from bot.core.links import canonical_url
from sandbox import ServerThread

pytestmark = pytest.mark.usefixtures("restore_logging")  # `main` configures logging

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>سقوط الأمطار في عدن | موقع الأخبار</title>
<meta property="og:title" content="سقوط الأمطار في عدن">
<meta name="author" content="سارة أحمد">
</head><body><article><h1>سقوط الأمطار في عدن</h1>
<p>هطلت أمطار غزيرة على مدينة عدن صباح اليوم، وقالت السلطات المحلية إن الطرق الرئيسية مفتوحة.</p>
<p>وتوقع مركز الأرصاد استمرار الأمطار حتى نهاية الأسبوع، ودعا السكان إلى الحذر عند التنقل.</p>
</article></body></html>"""


@pytest.fixture
def site() -> Iterator[ServerThread]:
    app = web.Application()
    app.router.add_get(
        "/news/1",
        lambda _request: web.Response(text=PAGE, content_type="text/html", charset="utf-8"),
    )
    with ServerThread(app) as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("TELEGRAM_BOT_TOKEN", "NASHIR_SOURCES", "X_CONSUMER_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NASHIR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("NASHIR_LOG_LEVEL", "WARNING")
    return tmp_path


async def _stored_author(path: Path, url: str) -> str | None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.session() as session:
            article = await ArticleRepository(session).by_url(canonical_url(url))
    finally:
        await db.close()
    assert article is not None
    return article.author


def test_ingest_prints_the_author_and_stores_it(
    env: Path, site: ServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{site.url}/news/1"
    saved = env / "page.html"
    saved.write_text(PAGE, encoding="utf-8")

    stored = main(["--env-file", os.devnull, "ingest", "--store", url])
    read = main(["--env-file", os.devnull, "ingest", str(saved)])

    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert (stored, read) == (0, 0), captured.err
    assert [line["author"] for line in lines] == ["سارة أحمد", "سارة أحمد"]
    assert asyncio.run(_stored_author(env / "cli.db", url)) == "سارة أحمد"


def test_preview_names_the_author_outside_the_posts(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = env / "page.html"
    saved.write_text(PAGE, encoding="utf-8")

    assert main(["--env-file", os.devnull, "preview", str(saved), "--platform", "telegram"]) == 0

    out = capsys.readouterr().out
    assert "author: سارة أحمد" in out
    assert out.count("سارة أحمد") == 1  # not in the post itself
