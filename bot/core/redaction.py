"""Redaction: no secret leaves the process, in a log record or any other text.

python-telegram-bot and httpx put the bot token in request URLs, and library
exceptions repeat those URLs; requests-oauthlib logs the X keys at debug
level. Redaction happens twice: a redacting filter sits on Nashir's handler
(`bot.adapters.logs`), and `redact_records` redacts each record as it is
created, so handlers Nashir did not install (test capture, an error tracker)
never see a secret either, tracebacks included. `redact` does the same for
text that leaves otherwise (alerts, stored errors, /healthz, the CLI).

Standard library only, so errors can redact their message where they are made.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable

REDACTED = "***"
# A Telegram bot token wherever it appears, even one we were not told about.
TOKEN_PATTERN = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{30,}")

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


def plain(value: object) -> bool:
    """Whether a context value is written as itself in JSON (else as its text)."""
    return value is None or isinstance(value, str | int | float | bool)
