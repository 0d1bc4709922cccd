"""Logging: one line per event, readable or JSON, with every secret redacted.

python-telegram-bot and httpx put the bot token in request URLs, and library
exceptions repeat those URLs; the redacting filter sits on the handler, so
it sees every record, tracebacks included, before anything is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "***"
# A Telegram bot token wherever it appears, even one we were not told about.
TOKEN_PATTERN = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{30,}")
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


class RedactingFilter(logging.Filter):
    """Replaces known secrets and anything shaped like a bot token with ***."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, redacted, so arguments cannot leak later."""
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record with its time, level, logger and message."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
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
    handler = logging.StreamHandler(stream or sys.stderr)
    redactor = RedactingFilter(secrets)
    handler.addFilter(redactor)
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
