import io
import json
import logging

from bot.adapters.logs import QuietRepeats, configure_logging
from bot.core.redaction import redact, register_secret

TOKEN = "123456789:AAH-very-secret-bot-token-abcdefghijkl"


def _capture(fmt: str = "text", secrets: tuple[str, ...] = ()) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt=fmt, secrets=secrets, stream=stream)
    return stream


def test_bot_token_in_a_url_is_redacted_even_unannounced() -> None:
    stream = _capture()
    logging.getLogger("test").warning("POST https://api.telegram.org/bot%s/sendMessage", TOKEN)
    assert TOKEN not in stream.getvalue()
    assert "bot***/sendMessage" in stream.getvalue()


def test_known_secrets_are_redacted_in_messages_and_tracebacks() -> None:
    stream = _capture(secrets=("x-consumer-secret-value",))
    try:
        raise ValueError("signing failed with x-consumer-secret-value")
    except ValueError:
        logging.getLogger("test").exception("X call failed")
    output = stream.getvalue()
    assert "x-consumer-secret-value" not in output
    assert "signing failed with ***" in output
    assert "Traceback" in output


def test_json_format_writes_one_object_per_line() -> None:
    stream = _capture(fmt="json")
    logging.getLogger("nashir.test").info("polled %s: %d new", "https://example.net/rss", 3)
    entry = json.loads(stream.getvalue().strip())
    assert entry["message"] == "polled https://example.net/rss: 3 new"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "nashir.test"


def test_redact_takes_the_token_out_of_urls_quotes_and_webhook_parameters() -> None:
    url = "http://127.0.0.1:9/bot123456789:short-token/sendMessage failed"
    assert redact(url) == "http://127.0.0.1:9/bot***/sendMessage failed"
    assert redact("The token `123456789:short-token` was rejected") == (
        "The token `***` was rejected"
    )
    assert (
        redact("parameters `{'secret_token': 'Zx_9-q'}`") == "parameters `{'secret_token': '***'}`"
    )
    assert redact("https://news.example.com/botanical-garden/1") == (
        "https://news.example.com/botanical-garden/1"
    )


def test_a_secret_registered_at_run_time_is_redacted_until_withdrawn() -> None:
    withdraw = register_secret("per-start-secret-42")
    try:
        assert redact("hook secret per-start-secret-42 set") == "hook secret *** set"
        assert (
            "per-start-secret-42"
            not in logging.getLogRecordFactory()(
                "x", logging.INFO, "", 0, "%s", ("per-start-secret-42",), None
            ).getMessage()
        )
    finally:
        withdraw()
    assert redact("per-start-secret-42") == "per-start-secret-42"
    assert redact("plain per-start-secret-42", extra=["per-start-secret-42"]) == "plain ***"


def _overrun(job: str, tick: int) -> logging.LogRecord:
    return logging.LogRecord(
        "apscheduler.scheduler",
        logging.WARNING,
        "",
        0,
        'Execution of job "%s (trigger: interval[0:00:00.200000], next run at: 00:00:%02d UTC)" '
        "skipped: maximum number of running instances reached (1)",
        (job, tick),
        None,
    )


def test_an_overrunning_job_is_reported_once_a_minute_with_a_count() -> None:
    now = [0.0]
    quiet = QuietRepeats(every=60, clock=lambda: now[0])
    shown = []
    for tick in range(312):
        now[0] = tick * 0.2 + (61 if tick >= 300 else 0)
        record = _overrun("deliver due posts", tick % 60)
        if quiet.filter(record):
            shown.append(record.getMessage())
    other = _overrun("poll sources", 1)
    assert quiet.filter(other)

    line = 'job "deliver due posts" skipped: its previous run is still going'
    assert shown == [line, f"{line} (299 more in the last 60s)"]
    assert other.getMessage() == 'job "poll sources" skipped: its previous run is still going'


def test_the_log_handler_quiets_overruns_and_leaves_other_lines_alone() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging(level="INFO", stream=stream)
        for tick in range(50):
            logging.getLogger("apscheduler.scheduler").warning(
                'Execution of job "%s (trigger: interval[0:00:01])" skipped: maximum number of '
                "running instances reached (1)",
                "poll sources",
            )
            logging.getLogger("bot.services.ingest").warning("source %d failed", tick)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert sum("skipped" in line for line in lines) == 1
    assert sum("failed" in line for line in lines) == 50


def test_passwords_in_urls_are_redacted() -> None:
    assert redact("postgresql+asyncpg://nashir:s3cret@db:5432/nashir") == (
        "postgresql+asyncpg://nashir:***@db:5432/nashir"
    )
    assert redact("https://reader:pw@feeds.example.com/rss") == (
        "https://reader:***@feeds.example.com/rss"
    )
    assert redact("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
