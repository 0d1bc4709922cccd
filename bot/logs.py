"""Logging: one line per event, readable or JSON, with every secret redacted.

python-telegram-bot and httpx put the bot token in request URLs, and library
exceptions repeat those URLs; requests-oauthlib logs the X keys at debug
level. Redaction happens twice: a redacting filter sits on Nashir's handler,
and `redact_records` redacts each record as it is created, so handlers
Nashir did not install (test capture, an error tracker) never see a secret
either, tracebacks included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Final, TextIO

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


# The token as a URL path segment (``…/bot<token>/sendMessage``), whatever its shape.
BOT_PATH_PATTERN = re.compile(r"(/bot)[0-9]+(?::|%3[Aa])[^/\s?#\"'<>]*")

# A webhook secret as PTB logs setWebhook's parameters, or as a header: redacted
# even before (or without) its value being registered.
SECRET_FIELD_PATTERN = re.compile(
    r"((?:secret_token|X-Telegram-Bot-Api-Secret-Token)['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}&]+)",
    re.IGNORECASE,
)

# A token quoted in a message, as PTB's InvalidToken quotes it ("The token `…` was rejected").
QUOTED_TOKEN_PATTERN = re.compile(r"(\btoken\s*[`'\"])([^`'\"\s]{8,})(?=[`'\"])", re.IGNORECASE)

# A password in a URL (``postgresql://nashir:<password>@db/…``, a feed behind basic auth).
URL_PASSWORD_PATTERN = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(@)", re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """Replaces known secrets and anything shaped like a bot token with ***."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = BOT_PATH_PATTERN.sub(rf"\1{REDACTED}", text)
        text = SECRET_FIELD_PATTERN.sub(rf"\1{REDACTED}", text)
        text = QUOTED_TOKEN_PATTERN.sub(rf"\1{REDACTED}", text)
        text = URL_PASSWORD_PATTERN.sub(rf"\1{REDACTED}\2", text)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, redacted, so arguments cannot leak later."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break the caller's log call
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        for name, value in context(record).items():
            if isinstance(value, str):
                setattr(record, name, self.redact(value))
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _RedactingRecords:
    """A log record factory that renders and redacts each record as it is made.

    Installed once per process and shared: each running app adds its secrets
    and takes them away when it stops, so apps started and stopped in any
    order (tests do) never remove each other's redaction.
    """

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()
        self.redactor = RedactingFilter()
        self.lock = threading.Lock()

    def __call__(self, *args: object, **kwargs: object) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        self.redactor.filter(record)
        return record

    def change(self, secrets: Iterable[str], step: int) -> None:
        with self.lock:
            for secret in set(secrets):
                self.counts[secret] += step
            self.counts = +self.counts  # drop secrets no app holds any more
            self.redactor = RedactingFilter(self.counts)


def redact_records(secrets: Iterable[str]) -> Callable[[], None]:
    """Redact `secrets` (and any bot token) from every log record the process creates.

    Returns the function that withdraws these secrets again (an app calls it
    when it stops); records are still scanned for bot-token shapes after that.
    """
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecords):
        factory = _RedactingRecords(factory)
        logging.setLogRecordFactory(factory)
    chosen = list(secrets)
    factory.change(chosen, +1)
    withdrawn = False

    def withdraw() -> None:
        nonlocal withdrawn
        if not withdrawn:
            withdrawn = True
            factory.change(chosen, -1)

    return withdraw


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every secret a running app registered, and any bot token, replaced.

    For text that leaves the process other than through a log record: an
    admin alert, a `last_error` column, `/healthz`, a metrics label, a line
    printed by the CLI. Bot-API URLs lose their ``bot<token>`` path segment,
    and a token quoted in a message (PTB's "The token `…` was rejected")
    is replaced even when no app has registered it.

    Args:
        text: What is about to leave the process.
        extra: Secrets to replace as well, for a caller that holds the
            settings but runs when no app is registered (the CLI's last
            line after the app has stopped: pass ``settings.secrets()``).
    """
    factory = logging.getLogRecordFactory()
    redactor = factory.redactor if isinstance(factory, _RedactingRecords) else _TOKENS_ONLY
    extra = [secret for secret in extra if len(secret) >= 4]
    if extra:
        redactor = RedactingFilter([*redactor.secrets, *extra])
    return redactor.redact(text)


def register_secret(secret: str) -> Callable[[], None]:
    """Redact `secret` from now on, everywhere `redact` and log records reach.

    For a secret made at run time, such as the random per-start webhook
    secret: register it before any library can log it. Returns the
    function that withdraws it.
    """
    return redact_records([secret])


_TOKENS_ONLY = RedactingFilter()


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
            entry.setdefault(name, value if _plain(value) else str(value))
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


_STANDARD = frozenset(
    [*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime", "taskName"]
)


def context(record: logging.LogRecord) -> dict[str, object]:
    """What a call added with `extra=` (source, article, destination): JSON keys of their own."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and not key.startswith("_")
    }


def _plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


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
