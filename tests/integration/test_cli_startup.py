"""Start-up through the `nashir` command: every mistake is one line naming what to fix.

Each case is a mistake an operator makes following the README and
`.env.example`: empty values, a mistyped name or file, half the X keys, a bad
source, a database or port that cannot be used, a token Telegram rejects. The
answer is one line on stderr that names the setting or path, never a secret,
also with `--debug`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from sandbox import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
NASHIR = Path(sys.executable).with_name("nashir")
WRONG_TOKEN = "987654321:wrong-token-that-telegram-does-not-know"

pytestmark = pytest.mark.usefixtures("restore_logging")  # `main` configures logging


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment: no setting but a database in `tmp_path` and quiet logs."""
    for name in list(os.environ):
        if name.startswith(("NASHIR_", "TELEGRAM_", "X_")) and name != "NASHIR_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("NASHIR_DATABASE_URL", f"sqlite:///{tmp_path / 'nashir.db'}")
    monkeypatch.setenv("NASHIR_LOG_LEVEL", "WARNING")
    return tmp_path


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_line(err: str) -> str:
    assert err.startswith("nashir: "), err
    assert err.count("\n") == 1, err
    return err.removeprefix("nashir: ").rstrip("\n")


def example_values() -> dict[str, str]:
    """The variables of `.env.example`, as systemd's EnvironmentFile reads them."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


# -- item 1: settings --------------------------------------------------------------------


def test_a_copy_of_env_example_starts_from_a_file_and_from_the_environment(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    values = example_values()
    assert values["NASHIR_HTTP_PORT"] == ""  # the empty values that used to stop start-up
    assert values["TELEGRAM_BOT_TOKEN"] == ""
    copy = env / "nashir.env"
    copy.write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.delenv("NASHIR_DATABASE_URL")
    monkeypatch.delenv("NASHIR_LOG_LEVEL")
    assert main(["--env-file", str(copy), "db", "upgrade"]) == 0
    assert (env / "data" / "nashir" / "nashir.db").exists()  # the documented default path
    capsys.readouterr()
    for name, value in values.items():  # `set -a; . nashir.env`, docker --env-file
        monkeypatch.setenv(name, value)
    assert main(["--env-file", os.devnull, "sources", "list"]) == 0
    err = capsys.readouterr().err
    assert "0 sources" in err
    assert "Input should be" not in err


def test_a_mistyped_setting_is_warned_with_the_closest_name(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHIR_POLL_INTERVALL", "300")
    assert main(["--env-file", os.devnull, "db", "upgrade"]) == 0
    assert (
        "NASHIR_POLL_INTERVALL is not a Nashir setting: did you mean NASHIR_POLL_INTERVAL?"
        in capsys.readouterr().err
    )


def test_a_missing_env_file_is_an_error(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env-file", str(env / "nashir.env.typo"), "db", "upgrade"]) == 2
    assert (
        one_line(capsys.readouterr().err) == f"--env-file {env / 'nashir.env.typo'}: no such file"
    )


def test_half_the_x_keys_is_an_error_naming_the_missing_ones(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("X_CONSUMER_KEY", "ck-value")
    monkeypatch.setenv("X_CONSUMER_SECRET", "cs-value")
    assert main(["--env-file", os.devnull, "db", "upgrade"]) == 2
    line = one_line(capsys.readouterr().err)
    assert (
        line == "X needs all four keys or none: X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET are not set"
    )


@pytest.mark.parametrize("entry", ["marsad.example/rss", "not a url", "file:///etc/passwd"])
def test_each_source_is_checked_at_start(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    monkeypatch.setenv("NASHIR_SOURCES", f"https://news.example/rss, {entry}")
    assert main(["--env-file", os.devnull, "run"]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"NASHIR_SOURCES: {entry!r} is not an http(s) URL of a feed or page"
    )


def test_sources_add_list_remove(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "true")  # no DNS lookups in tests
    url = f"http://127.0.0.1:{closed_port()}/rss"
    assert main(["--env-file", os.devnull, "sources", "add", "feed://127.0.0.1/feed"]) == 0
    assert "added https://127.0.0.1/feed" in capsys.readouterr().err
    assert main(["--env-file", os.devnull, "sources", "add", url]) == 0
    assert main(["--env-file", os.devnull, "sources", "add", url]) == 0
    assert f"already known: {url}" in capsys.readouterr().err
    assert main(["--env-file", os.devnull, "sources", "list"]) == 0
    captured = capsys.readouterr()
    assert [line.split()[-1] for line in captured.out.splitlines()] == [
        "https://127.0.0.1/feed",
        url,
    ]
    assert all(line.startswith("active") for line in captured.out.splitlines())
    assert "2 sources" in captured.err
    assert main(["--env-file", os.devnull, "sources", "remove", url]) == 0
    assert f"removed {url}" in capsys.readouterr().err
    assert main(["--env-file", os.devnull, "sources", "remove", url]) == 1
    assert one_line(capsys.readouterr().err).startswith(f"no source {url}")
    assert main(["--env-file", os.devnull, "sources", "add", "not a url"]) == 1
    assert one_line(capsys.readouterr().err) == (
        "'not a url' is not an http(s) URL of a feed or page"
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def run_until_running(
    environ: dict[str, str], log: Path, processes: list[subprocess.Popen[bytes]]
) -> str:
    """`nashir run` until it says it is running, then SIGTERM; its log."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(NASHIR), "run"], env=environ, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT
        )
    processes.append(process)
    deadline = time.monotonic() + 60
    while b"Nashir is running" not in log.read_bytes():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()
    return log.read_text()


@pytest.mark.slow
def test_a_source_that_leaves_nashir_sources_is_retired_and_kept(
    tmp_path: Path, database_url: str, processes: list[subprocess.Popen[bytes]]
) -> None:
    port = closed_port()
    first, second = f"http://127.0.0.1:{port}/one.xml", f"http://127.0.0.1:{port}/two.xml"
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NASHIR_DATABASE_URL": database_url,
        "NASHIR_ALLOW_PRIVATE_URLS": "true",
        "NASHIR_DIGEST_TIMES": "off",
        "NASHIR_SOURCES": f"{first},{second}",
        "TELEGRAM_BOT_TOKEN": "",  # empty, as in a copy of .env.example: the console
        "NASHIR_HTTP_PORT": "",
        "NASHIR_METRICS_PORT": "",
    }
    log = run_until_running(environ, tmp_path / "first.log", processes)
    assert "running: 2 sources" in log
    log = run_until_running({**environ, "NASHIR_SOURCES": first}, tmp_path / "two.log", processes)
    assert f"source {second} is no longer in NASHIR_SOURCES: retired (kept, not polled)" in log
    assert "running: 1 source," in log
    listed = subprocess.run(
        [str(NASHIR), "sources", "list"],
        env=environ | {"NASHIR_SOURCES": first},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    states = {line.split()[-1]: line.split()[0] for line in listed.stdout.splitlines()}
    assert states == {first: "active", second: "retired"}


# -- item 2: errors name the setting -------------------------------------------------------


def test_an_unreachable_postgresql_names_the_setting_and_hides_the_password(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    monkeypatch.setenv(
        "NASHIR_DATABASE_URL", f"postgresql://nashir:pg-secret-pw@127.0.0.1:{port}/nashir"
    )
    assert main(["--env-file", os.devnull, "db", "upgrade"]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"NASHIR_DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:{port}")
    assert "pg-secret-pw" not in line


def test_an_unwritable_sqlite_file_names_the_path(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = env / "no-such-dir" / "nashir.db"
    monkeypatch.setenv("NASHIR_DATABASE_URL", f"sqlite:///{target}")
    assert main(["--env-file", os.devnull, "db", "upgrade"]) == 1
    assert one_line(capsys.readouterr().err).startswith(
        f"NASHIR_DATABASE_URL: cannot open or write the SQLite file {target} "
    )


def test_an_unknown_database_host_is_named() -> None:
    # A DNS lookup leaves this machine, so the resolver's answer is built here.
    from bot.adapters.storage.database import unavailable_reason

    try:
        raise OSError("connect failed") from socket.gaierror(-2, "Name or service not known")
    except OSError as error:
        reason = unavailable_reason("postgresql+asyncpg://u:pw@db.internal:5433/nashir", error)
    assert reason == "NASHIR_DATABASE_URL: the database host db.internal is unknown (no DNS entry)"


@pytest.mark.parametrize("setting", ["NASHIR_METRICS_PORT", "NASHIR_HTTP_PORT"])
def test_a_port_in_use_names_its_setting(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], setting: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        monkeypatch.setenv(setting, str(port))
        assert main(["--env-file", os.devnull, "run"]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"port {port} is already in use: choose another {setting} (or stop what listens there)"
    )


@pytest.mark.parametrize("debug", [False, True])
def test_a_rejected_token_is_named_and_never_shown(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    debug: bool,
) -> None:
    fake = FakeTelegram()
    with fake.server() as server:
        monkeypatch.setenv("TELEGRAM_API_URL", server.url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", WRONG_TOKEN)
        code = main(["--env-file", os.devnull, "run", *(["--debug"] if debug else [])])
    err = capsys.readouterr().err
    assert code == 2
    assert WRONG_TOKEN not in err
    assert "wrong-token" not in err
    last = err.rstrip("\n").splitlines()[-1]
    assert last.startswith("nashir: TELEGRAM_BOT_TOKEN was rejected by Telegram")
    if debug:
        assert "Traceback (most recent call last)" in err
        assert "InvalidToken" in err
    else:
        assert one_line(err)


def test_a_loopback_source_is_refused_naming_the_setting_that_allows_it(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/rss"
    assert main(["--env-file", os.devnull, "sources", "add", url]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("address 127.0.0.1 is private")
    assert line.endswith(
        "; set NASHIR_ALLOW_PRIVATE_URLS=true to allow private and loopback addresses"
    )


def test_an_unreachable_bot_api_names_telegram_api_url(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    monkeypatch.setenv("TELEGRAM_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", WRONG_TOKEN)
    assert main(["--env-file", os.devnull, "run"]) == 2
    err = capsys.readouterr().err
    assert one_line(err) == (
        f"cannot reach the Bot API at 127.0.0.1:{port}: check the network or TELEGRAM_API_URL"
    )
    assert WRONG_TOKEN not in err


def test_sources_select_sets_shows_and_removes_a_sources_selectors(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "true")  # no DNS lookups in tests
    url = f"http://127.0.0.1:{closed_port()}/news"
    share_title = 'meta[property="og:title"]'
    assert main(["--env-file", os.devnull, "sources", "add", url]) == 0
    capsys.readouterr()

    assert main(["--env-file", os.devnull, "sources", "select", url, f"title={share_title}"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"title: {share_title}"]
    assert main(["--env-file", os.devnull, "sources", "select", url, "body=div.story p"]) == 0
    assert capsys.readouterr().out.splitlines() == ["body: div.story p", f"title: {share_title}"]
    assert main(["--env-file", os.devnull, "sources", "list"]) == 0
    listed = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert listed[1:] == ["body: div.story p", f"title: {share_title}"]

    assert main(["--env-file", os.devnull, "sources", "select", url, "body="]) == 0
    assert capsys.readouterr().out.splitlines() == [f"title: {share_title}"]
    assert main(["--env-file", os.devnull, "sources", "select", url, "--clear"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["--env-file", os.devnull, "sources", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("headline=h1", "unknown page selector field 'headline'; use one of"),
        ("title=h1[", "page selector for 'title' is not valid CSS: 'h1['"),
        ("h1.title", "selector 'h1.title': write FIELD=CSS, for example title=h1.headline"),
    ],
)
def test_a_bad_selector_is_one_line_naming_it_and_nothing_is_stored(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pair: str,
    message: str,
) -> None:
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "true")
    url = f"http://127.0.0.1:{closed_port()}/news"
    assert main(["--env-file", os.devnull, "sources", "add", url]) == 0
    capsys.readouterr()
    assert main(["--env-file", os.devnull, "sources", "select", url, pair]) != 0
    assert one_line(capsys.readouterr().err).startswith(message)
    assert main(["--env-file", os.devnull, "sources", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["--env-file", os.devnull, "sources", "select", f"{url}/other", "title=h1"]) == 1
    assert one_line(capsys.readouterr().err).startswith(f"no source {url}/other")
