"""The packaged service starts the way `deploy/nashir.service` starts it.

systemd runs `ExecStartPre`, then `ExecStart`, in an empty environment holding
only the unit's `Environment=` lines and its `EnvironmentFile`, here a copy of
`.env.example` with the values an operator fills in (a token for the fake Bot
API, a metrics port, the database). The service must come up: `/healthz`
answers 200 and the bot has greeted Telegram; SIGTERM stops it cleanly.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "nashir.service"
INSTALLED = "/opt/nashir/.venv/bin/nashir"  # where the unit expects the console script
NASHIR = Path(sys.executable).with_name("nashir")


def unit_service_lines() -> dict[str, list[str]]:
    """The [Service] section's keys, each with its values in order."""
    lines: dict[str, list[str]] = {}
    section = ""
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            lines.setdefault(key, []).append(value)
    return lines


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (comments skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def filled_in(example: str, values: dict[str, str]) -> str:
    """`.env.example` with some values filled in, the way an operator edits it."""
    lines = []
    for line in example.splitlines():
        key = line.partition("=")[0]
        lines.append(f"{key}={values[key]}" if key in values and "=" in line else line)
    return "\n".join(lines) + "\n"


def env_i(environment: dict[str, str], command: str) -> list[str]:
    """`env -i KEY=VALUE … command`: nothing inherited, as systemd starts a service."""
    pairs = [f"{key}={value}" for key, value in environment.items()]
    return ["env", "-i", *pairs, *shlex.split(command.replace(INSTALLED, str(NASHIR)))]


@pytest.fixture
def service() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def healthz(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_the_unit_starts_the_service_from_a_copy_of_env_example(
    tmp_path: Path, database_url: str, service: list[subprocess.Popen[bytes]]
) -> None:
    unit = unit_service_lines()
    assert unit["EnvironmentFile"] == ["/etc/nashir/nashir.env"]
    assert unit["ExecStartPre"] == [f"{INSTALLED} db upgrade"]
    assert unit["ExecStart"] == [f"{INSTALLED} run"]
    state = tmp_path / "var-lib"  # stands for /var/lib, where StateDirectory=nashir lives
    (state / unit["StateDirectory"][0]).mkdir(parents=True)
    environment = {}
    for assignment in unit.get("Environment", []):
        key, _, value = assignment.partition("=")
        environment[key] = str(state) if value == "/var/lib" else value
    assert environment == {"XDG_DATA_HOME": str(state)}

    fake = FakeTelegram()
    metrics = free_port()
    with fake.server() as bot_api:
        operator = {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": bot_api.url,
            "NASHIR_METRICS_PORT": str(metrics),
            "NASHIR_ADMIN_IDS": "424242",
        }
        if "postgresql" in database_url:
            operator["NASHIR_DATABASE_URL"] = database_url  # else the data directory's SQLite
        env_file = tmp_path / "nashir.env"
        env_file.write_text(
            filled_in((ROOT / ".env.example").read_text(encoding="utf-8"), operator),
            encoding="utf-8",
        )
        environment |= environment_file(env_file)
        assert environment["NASHIR_HTTP_PORT"] == ""  # empty values straight from the example
        workdir = tmp_path / "opt-nashir"
        workdir.mkdir()

        before = subprocess.run(
            env_i(environment, unit["ExecStartPre"][0]),
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert before.returncode == 0, before.stderr
        if "postgresql" not in database_url:
            assert (state / "nashir" / "nashir.db").exists()
        assert not list(workdir.iterdir())  # nothing written where the command ran

        log = tmp_path / "journal.log"
        with log.open("wb") as journal:
            process = subprocess.Popen(
                env_i(environment, unit["ExecStart"][0]),
                cwd=workdir,
                stdout=journal,
                stderr=subprocess.STDOUT,
            )
        service.append(process)
        deadline = time.monotonic() + 60
        status, body = 0, ""
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                status, body = healthz(metrics)
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, (body, log.read_text())
        assert "database: ok" in body
        assert fake.calls_to("getMe")
        assert fake.token not in log.read_text()

        assert unit["KillSignal"] == ["SIGTERM"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=float(unit["TimeoutStopSec"][0])) == 0, log.read_text()
    assert "Nashir stopped" in log.read_text()
    assert os.environ.get("TELEGRAM_BOT_TOKEN") != fake.token  # the test's own env untouched
