"""Redaction at the source: every log record is clean before any handler sees it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.adapters.logs import JsonFormatter
from bot.core.redaction import RedactingFilter, redact_records

SECRET = "x-signing-key-for-this-test-only"
TOKEN = "987654321:AAF-a-token-nobody-configured-here-xyz"


@pytest.fixture
def raw() -> Iterator[io.StringIO]:
    """A handler with no filter of its own (as an error tracker or test capture would be)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("nashir.test.records")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield stream
    logger.removeHandler(handler)


def test_a_handler_without_a_filter_never_sees_the_secret(raw: io.StringIO) -> None:
    withdraw = redact_records([SECRET])
    try:
        try:
            raise RuntimeError(f"signature with {SECRET} refused")
        except RuntimeError:
            logging.getLogger("nashir.test.records").exception("call failed: %s", SECRET)
    finally:
        withdraw()
    output = raw.getvalue()
    assert SECRET not in output
    assert "call failed: ***" in output
    assert "RuntimeError: signature with *** refused" in output


def test_withdrawn_secrets_are_left_alone_but_token_shapes_never(raw: io.StringIO) -> None:
    redact_records([SECRET])()
    logging.getLogger("nashir.test.records").warning("%s and %s", SECRET, TOKEN)
    assert raw.getvalue().strip() == f"{SECRET} and ***"


def test_two_apps_sharing_a_secret_keep_it_redacted_until_both_stop(raw: io.StringIO) -> None:
    first, second = redact_records([SECRET]), redact_records([SECRET])
    first()
    logging.getLogger("nashir.test.records").warning(SECRET)
    second()
    assert raw.getvalue().strip() == "***"


def test_a_bad_format_string_does_not_break_the_call(raw: io.StringIO) -> None:
    withdraw = redact_records([SECRET])
    try:
        logging.getLogger("nashir.test.records").warning("%d items", "many")
    finally:
        withdraw()
    assert "'%d items' % ('many',)" in raw.getvalue()


def test_json_lines_carry_the_context_given_with_extra_redacted_by_the_handler() -> None:
    record = logging.getLogger("nashir.test.records").makeRecord(
        "nashir.delivery",
        logging.WARNING,
        __file__,
        1,
        "delivery failed",
        None,
        None,
        extra={"destination": "telegram:@yemen_news", "article": 42, "detail": SECRET},
    )
    RedactingFilter([SECRET]).filter(record)  # what `configure_logging` puts on its handler
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "delivery failed"
    assert entry["destination"] == "telegram:@yemen_news"
    assert entry["article"] == 42
    assert entry["detail"] == "***"
