"""`nashir sources import FILE.opml` and `nashir sources export`, through the database."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.logs import NOISY
from bot.cli import main
from bot.core.redaction import RedactingFilter
from bot.services.opml import Outline, read_opml, write_opml

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
SOURCES = [
    Outline("https://www.almashhad-alyemeni.com/rss.xml", "المشهد اليمني"),
    Outline("https://example.net/news/feed.json", "أخبار اليمن والعالم"),
    Outline("https://example.org/mobile/latest", None),
]


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """`main()` configures logging for the process; give the next tests theirs back."""
    root = logging.getLogger()
    loggers = [root, *(logging.getLogger(name) for name in NOISY)]
    levels = [logger.level for logger in loggers]
    yield
    for handler in list(root.handlers):
        if any(isinstance(f, RedactingFilter) for f in handler.filters):
            root.removeHandler(handler)  # the one `configure_logging` installed
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Path:
    for name in ("TELEGRAM_BOT_TOKEN", "NASHIR_SOURCES", "X_CONSUMER_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NASHIR_DATABASE_URL", database_url)
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "true")  # no DNS lookups in tests
    monkeypatch.setenv("NASHIR_LOG_LEVEL", "WARNING")
    return tmp_path


def nashir(env: Path, *args: str) -> int:
    return main(["--env-file", os.devnull, *args])


def test_import_then_export_gives_back_every_source_with_its_arabic_title(
    env: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    opml = env / "sources.opml"
    opml.write_bytes(write_opml(SOURCES, created=WHEN))
    assert nashir(env, "sources", "import", str(opml)) == 0
    assert (
        b"3 entries: 3 added, 0 already known, 0 duplicates in the file, 0 refused"
        in capsysbinary.readouterr().err
    )

    assert nashir(env, "sources", "export") == 0
    exported = read_opml(capsysbinary.readouterr().out)
    assert exported == [*SOURCES[:2], Outline(SOURCES[2].url, SOURCES[2].url)]


def test_importing_again_adds_nothing_and_keeps_new_titles(
    env: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    opml = env / "sources.opml"
    opml.write_bytes(write_opml(SOURCES[:1], created=WHEN))
    assert nashir(env, "sources", "import", str(opml)) == 0
    renamed = [Outline(SOURCES[0].url, "المشهد اليمني — الرئيسية")]
    opml.write_bytes(write_opml(renamed, created=WHEN))
    assert nashir(env, "sources", "import", str(opml)) == 0
    assert b"1 entry: 0 added, 1 already known" in capsysbinary.readouterr().err
    out = env / "out.opml"
    assert nashir(env, "sources", "export", "--output", str(out)) == 0
    assert read_opml(out.read_bytes()) == renamed


def test_private_addresses_and_other_schemes_are_refused_by_name(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "false")
    opml = env / "mixed.opml"
    opml.write_bytes(
        write_opml(
            [
                Outline("http://93.184.216.34/rss.xml", "public"),
                Outline("http://169.254.169.254/latest/meta-data/", "metadata"),
                Outline("http://10.0.0.1/feed", "lan"),
                Outline("file:///etc/passwd", "file"),
            ],
            created=WHEN,
        )
    )
    assert nashir(env, "sources", "import", str(opml)) == 0
    err = capsys.readouterr().err
    assert "refused http://169.254.169.254/latest/meta-data/: address 169.254.169.254" in err
    assert "refused http://10.0.0.1/feed: address 10.0.0.1 is private" in err
    assert "refused file:///etc/passwd: scheme file: is not allowed" in err
    assert "4 entries: 1 added, 0 already known, 0 duplicates in the file, 3 refused" in err


def test_a_file_that_is_not_opml_is_one_clear_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = env / "feed.xml"
    bad.write_text("<rss><channel/></rss>")
    assert nashir(env, "sources", "import", str(bad)) == 1
    assert capsys.readouterr().err.strip() == (
        f"nashir: {bad}: not an OPML document (no <opml> with a <body>)"
    )
    assert nashir(env, "sources", "import", str(env / "missing.opml")) == 1
    assert "nashir: cannot read" in capsys.readouterr().err


def test_spellings_of_one_feed_are_folded_and_every_entry_is_counted(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = env / "reader.opml"
    opml.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><body>
  <outline text="one" xmlUrl="https://www.example.net/rss"/>
  <outline text="upper case" xmlUrl="HTTPS://www.Example.net/rss"/>
  <outline text="tracked" xmlUrl="https://www.example.net/rss?utm_source=feedly"/>
  <outline text="slash" xmlUrl="https://www.example.net/rss/"/>
  <outline text="feed scheme" xmlUrl="feed://news.example.org/feed.xml"/>
  <outline text="file" xmlUrl="file:///etc/passwd"/>
</body></opml>
""",
        encoding="utf-8",
    )
    assert nashir(env, "sources", "import", str(opml)) == 0
    assert capsys.readouterr().err.endswith(
        "6 entries: 2 added, 0 already known, 3 duplicates in the file, 1 refused\n"
    )
    again = env / "again.opml"
    again.write_text(
        '<opml version="2.0"><body>'
        '<outline text="x" xmlUrl="https://WWW.EXAMPLE.NET/rss?fbclid=abc"/></body></opml>',
        encoding="utf-8",
    )
    assert nashir(env, "sources", "import", str(again)) == 0
    assert "1 entry: 0 added, 1 already known" in capsys.readouterr().err
    assert nashir(env, "sources", "list") == 0
    listed = [line.split()[-1] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["https://www.example.net/rss", "https://news.example.org/feed.xml"]
