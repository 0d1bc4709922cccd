"""Logging: one line per event, readable or JSON, with every secret redacted.

The redaction itself is `bot.core.redaction`; this module installs it on
Nashir's handler, quiets the libraries that talk too much and throttles
APScheduler's repeated overrun warnings.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import Final, TextIO

from bot.core.redaction import RedactingFilter, context, plain, redact_records

NOISY = (
    "httpx",
    "httpcore",
    "telegram.ext.Updater",
    "apscheduler.executors.default",
    "apscheduler.scheduler",
    "aiosqlite",
    "tweepy",
    "requests_oauthlib",
    "oauthlib",
    "urllib3",
    "alembic.runtime.migration",
)


_REPEATED: Final = (
    (
        re.compile(r'Execution of job "(?P<job>[^"(]+?)\s*(?:\([^"]*\))?" skipped: maximum number'),
        "skipped: its previous run is still going",
    ),
    (
        re.compile(r'Run time of job "(?P<job>[^"(]+?)\s*(?:\([^"]*\))?" was missed by'),
        "started late: the scheduler was busy",
    ),
)


class QuietRepeats(logging.Filter):
    """APScheduler's overrun warnings, at most one line per job per `every` seconds.

    A job that outlasts its interval (a slow first poll, a long delivery
    pass) makes APScheduler warn on every tick: hundreds of identical lines
    that bury everything else. The first is shown; the rest within `every`
    are counted, and the next line shown says how many there were.
    """

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every = every
        self.clock = clock
        self._shown: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop a repeat within the window; reword the one shown, with the count."""
        if not record.name.startswith("apscheduler"):
            return True
        message = record.getMessage()
        found = next(
            ((match, what) for pattern, what in _REPEATED if (match := pattern.match(message))),
            None,
        )
        if found is None:
            return True
        job, what = found[0]["job"], found[1]
        now = self.clock()
        last, hidden = self._shown.get((job, what), (None, 0))
        if last is not None and now - last < self.every:
            self._shown[(job, what)] = (last, hidden + 1)
            return False
        self._shown[(job, what)] = (now, 0)
        since = f" ({hidden} more in the last {self.every:g}s)" if hidden else ""
        record.msg = f'job "{job}" {what}{since}'
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record with its time, level, logger and message."""
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in context(record).items():
            entry.setdefault(name, value if plain(value) else str(value))
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    *,
    level: str = "INFO",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> RedactingFilter:
    """Install one handler on the root logger; returns its filter (to add secrets later)."""
    secrets = list(secrets)
    redact_records(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    redactor = RedactingFilter(secrets)
    handler.addFilter(redactor)
    handler.addFilter(QuietRepeats())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return redactor
