"""The `nashir` command: what a person types, what they get back."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from sandbox import ServerThread

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_page.html"

pytestmark = pytest.mark.usefixtures("restore_logging")  # `main` configures logging


@pytest.fixture
def seed_server() -> Iterator[ServerThread]:
    app = web.Application()
    page = SEED.read_bytes()
    app.router.add_get(
        "/mobile/article/12345",
        lambda _request: web.Response(body=page, content_type="text/html", charset="utf-8"),
    )
    app.router.add_get("/gone", lambda _request: web.Response(status=404))
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


def test_ingest_prints_everything_the_seed_page_shows(
    env: Path, seed_server: ServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--env-file", os.devnull, "ingest", f"{seed_server.url}/mobile/article/12345"])
    out = capsys.readouterr().out
    assert code == 0
    draft = json.loads(out)
    assert draft["title"] == "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"
    assert draft["reads"] == 649
    assert draft["tags"] == ["احمد الشرع", "بشار الأسد", "حلب", "دمشق", "روسيا", "سوريا"]
    body = "\n".join(draft["body"])
    for boilerplate in ("المصدر:", "تابعنا على", "Google", "متابعات", "مساحة نت"):
        assert boilerplate not in body
    assert body.startswith("في تحول مفاجئ للأحداث في سوريا")
    assert draft["body"][-1].startswith("هذه التطورات تمثل نقطة فارقة")
    assert set(k for k, v in draft["social"].items() if v) == {
        "youtube",
        "x",
        "telegram",
        "facebook",
        "google_news",
    }
    assert len(draft["most_read"]) == 10
    assert draft["most_read"][0]["outlet"] == "نيوز لاين"
    assert draft["most_read"][0]["reads"] == 1962


def test_ingest_stores_nothing_unless_asked(
    env: Path, seed_server: ServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{seed_server.url}/mobile/article/12345"
    assert main(["--env-file", os.devnull, "ingest", url]) == 0
    assert not (env / "cli.db").exists()
    assert main(["--env-file", os.devnull, "ingest", "--store", url]) == 0
    assert "stored as article 1" in capsys.readouterr().err
    assert main(["--env-file", os.devnull, "ingest", "--store", url]) == 0
    assert "already stored" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("target", "reason"),
    [("/gone", "HTTP 404"), ("http://127.0.0.1:1/", "")],
)
def test_a_fetch_error_is_one_line_and_exit_1(
    env: Path,
    seed_server: ServerThread,
    capsys: pytest.CaptureFixture[str],
    target: str,
    reason: str,
) -> None:
    url = target if target.startswith("http") else f"{seed_server.url}{target}"
    code = main(["--env-file", os.devnull, "ingest", url])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("nashir: ")
    assert reason in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_a_bad_setting_is_one_line_and_exit_2(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHIR_POLL_INTERVAL", "often")
    code = main(["--env-file", os.devnull, "db", "upgrade"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("nashir: NASHIR_POLL_INTERVAL: ")
    assert err.count("\n") == 1


def test_preview_of_a_saved_page_shows_both_posts_with_lengths(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--env-file", os.devnull, "preview", str(SEED)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Telegram" in out
    assert "/4096 characters" in out or "/1024 characters" in out
    assert "/280 weighted characters" in out
    assert "#بشار_الأسد" in out


def test_preview_of_a_saved_page_uses_its_canonical_url_and_shows_what_readers_see(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", os.devnull, "preview", str(SEED), "--platform", "x"]) == 0
    out = capsys.readouterr().out
    assert "https://marsad.example/article/12345" in out  # <link rel="canonical">
    assert "file:" not in out
    assert main(["--env-file", os.devnull, "preview", str(SEED), "--platform", "telegram"]) == 0
    shown = capsys.readouterr().out
    assert "اقرأ المزيد" in shown  # a link shows as its words
    assert "<a href" not in shown
    assert "<b>" not in shown
    assert "file:" not in shown
    code = main(["--env-file", os.devnull, "preview", str(SEED), "--platform", "telegram", "--raw"])
    assert code == 0
    raw = capsys.readouterr().out
    assert "<b>" in raw
    assert 'href="https://marsad.example/article/12345' in raw


def test_preview_of_a_missing_file_names_the_file(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = env / "article.html"
    assert main(["--env-file", os.devnull, "preview", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f"nashir: {missing}: no such file (give a saved page or a URL)\n"
    )


def test_db_upgrade_creates_the_schema(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env-file", os.devnull, "db", "upgrade"]) == 0
    assert (env / "cli.db").exists()
    assert "created at migration" in capsys.readouterr().err
    assert main(["--env-file", os.devnull, "db", "upgrade"]) == 0
    assert "was already at migration" in capsys.readouterr().err


def test_version_and_debug_anywhere(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("nashir 0.")
    assert main(["--env-file", os.devnull, "db", "upgrade", "--debug"]) == 0
    assert main(["--env-file", os.devnull, "--debug", "sources", "list"]) == 0
    assert main(["--env-file", os.devnull, "sources", "list", "--debug"]) == 0


def test_every_argument_of_every_command_has_help() -> None:
    import argparse

    from bot.cli import _parser

    missing = []
    pending = [("nashir", _parser())]
    while pending:
        name, parser = pending.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {choice.dest for choice in action._choices_actions if choice.help}
                for command, sub in action.choices.items():
                    if command not in helped:
                        missing.append(f"{name} {command}")
                    pending.append((f"{name} {command}", sub))
            elif not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_ingest_reads_several_urls_and_saved_pages_one_json_line_each(
    env: Path, seed_server: ServerThread, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "page.html"
    saved.write_bytes(
        b"<p>Warning: junk before the document</p><html><head><title>Saved story title</title>"
        b"</head><body><p>The saved page's only paragraph, long enough to be a story.</p></body>"
        b"</html>"
    )
    url = f"{seed_server.url}/mobile/article/12345"
    code = main(["--env-file", os.devnull, "ingest", url, str(saved), f"{seed_server.url}/gone"])
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 1
    assert [line.get("title") for line in lines[:2]] == [
        "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث",
        "Saved story title",
    ]
    assert lines[1]["url"] == saved.resolve().as_uri()
    assert lines[2]["target"] == f"{seed_server.url}/gone"
    assert "HTTP 404" in lines[2]["error"]
    assert captured.err.count("\n") == 1


def test_demo_without_the_sandbox_installed_says_how_to_run_it(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The production image copies bot/, handlers/ and scheduler/ only: no sandbox package.
    monkeypatch.setitem(sys.modules, "sandbox", None)
    monkeypatch.delitem(sys.modules, "sandbox.demo", raising=False)

    code = main(["--env-file", os.devnull, "demo", "--seconds", "1"])

    err = capsys.readouterr().err.strip()
    assert code != 0
    assert "make demo" in err
    assert len(err.splitlines()) == 1
    assert "ModuleNotFoundError" not in err


def test_ingest_tries_selectors_on_a_page_before_they_are_set(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(
        '<html><head><meta property="og:title" content="The share title">'
        "<title>Page title</title></head><body><h1>The headline on the page</h1>"
        "<p class='story'>The saved page's only paragraph, long enough to be a story.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    share = 'title=meta[property="og:title"]'

    assert main(["--env-file", os.devnull, "ingest", str(saved)]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "The headline on the page"
    assert main(["--env-file", os.devnull, "ingest", "--selector", share, str(saved)]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "The share title"
    assert main(["--env-file", os.devnull, "ingest", "--selector", "title", str(saved)]) == 1
    assert capsys.readouterr().err == (
        "nashir: selector 'title': write FIELD=CSS, for example title=h1.headline\n"
    )
