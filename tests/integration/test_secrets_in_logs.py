"""No secret in any log line, error message or traceback of a bot that runs into trouble.

The bot runs as `nashir run` does, against the fakes, at DEBUG level, while
the fake Bot API and X API fail in every way they can: server errors, an
nginx 502 page, flood limits, refused credentials. httpx logs each request
URL, which holds the bot token; requests-oauthlib logs the X keys; library
errors repeat URLs in their messages and tracebacks. Everything that was
logged (as pytest captured it, and as the JSON handler wrote it), every
error stored in the database and every alert sent must be free of the
token and the X secrets.
"""

from __future__ import annotations

import io
import logging
import re
import socket
from collections.abc import Iterator

import aiohttp
import httpx
import pytest
from aiohttp import web
from ops_kit import TOKEN, X_SECRETS, eventually, get, primed, running, scrape, settings_for, until
from sqlalchemy import select
from telegram.error import InvalidToken

from bot.adapters.logs import NOISY, JsonFormatter, configure_logging
from bot.adapters.settings import load_settings
from bot.adapters.storage.tables import DeliveryRow, SourceRow
from bot.app import App, build
from bot.core.redaction import redact
from sandbox import FakeTelegram, FakeX, ServerThread
from sandbox.demo_site import DemoSite

SECRETS = (TOKEN, *X_SECRETS.values())
ADMIN = 4242
WRONG_TOKEN = "987654321:WRONG-token_the_fake_refuses"


@pytest.fixture
def site() -> DemoSite:
    return DemoSite(channel="yemen_news", x_handle="YemenNewsX")


@pytest.fixture
def site_server(site: DemoSite) -> Iterator[ServerThread]:
    with ServerThread(site.app()) as server:
        yield server


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What a JSON log handler without any filter of its own would write."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


async def test_no_secret_is_logged_stored_or_sent_when_everything_fails(
    database_url: str,
    site: DemoSite,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
    fake_telegram: FakeTelegram,
    fake_x: FakeX,
    caplog: pytest.LogCaptureFixture,
    json_log: io.StringIO,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in NOISY:  # `configure_logging` in other tests may have quietened these
        caplog.set_level(logging.DEBUG, logger=name)
    channel = fake_telegram.add_channel("@yemen_news")
    fake_telegram.add_user(ADMIN, "admin", "en")
    env = settings_for(
        database_url,
        site_server,
        telegram_server,
        x_server,
        NASHIR_ADMIN_IDS=str(ADMIN),
        NASHIR_MAX_ATTEMPTS="2",
        NASHIR_BACKOFF_BASE="0.1",
        NASHIR_BACKOFF_MAX="0.2",
    )
    fake_telegram.fault("server_error", method="sendPhoto", times=2)
    fake_telegram.fault("server_error", method="sendMessage", times=2, status=502)
    fake_telegram.fault("flood", method="sendMessage", times=1, retry_after=1)
    fake_x.fault("server_error", endpoint="POST /2/tweets", times=1)
    fake_x.fault("unauthorized", endpoint="POST /2/tweets", times=1)
    site.publish_next()
    async with running(env) as app:
        await primed(app)
        site.publish_next()
        site.publish_next()
        await until(lambda: _attempts(fake_telegram, fake_x) == (4, 2), within=20)
        # A library error that quotes the request URL, logged with its traceback,
        # as PTB's error handler and the worker log the unexpected ones.
        bot_url = f"{telegram_server.url}/bot{TOKEN}/getMe"
        try:
            async with httpx.AsyncClient() as client:
                (await client.post(bot_url.replace("getMe", "noSuchMethod"))).raise_for_status()
        except httpx.HTTPStatusError:
            logging.getLogger("telegram.ext.Application").exception("error while handling")
        async with app.db.session() as session:
            stored = [
                *(await session.scalars(select(DeliveryRow.last_error))),
                *(await session.scalars(select(SourceRow.last_error))),
            ]

    logged = [
        logging.Formatter().format(record)
        for when in ("setup", "call")
        for record in caplog.get_records(when)  # type: ignore[arg-type]
    ]
    sent = [m.get("text", "") or m.get("caption", "") for m in fake_telegram.messages(ADMIN)]
    everything = "\n".join([*logged, json_log.getvalue(), *filter(None, stored), *sent])

    for secret in SECRETS:
        assert secret not in everything
    # the places that would have carried them were there, redacted
    assert "HTTP Request: POST" in everything
    assert "/bot***/" in everything
    assert "using client <Client client_key=***" in everything  # requests-oauthlib
    assert "Traceback (most recent call last)" in everything
    assert "error while handling" in json_log.getvalue()
    assert len(fake_telegram.messages(channel)) >= 1


async def test_error_messages_of_the_running_bot_are_redacted_too(
    database_url: str,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    env = settings_for(database_url, site_server, telegram_server, x_server)
    async with running(env):
        logging.getLogger("tweepy.client").warning(
            "signing with %s and %s failed", X_SECRETS["X_CONSUMER_SECRET"], TOKEN
        )
    messages = [record.getMessage() for record in caplog.records]
    assert "signing with *** and *** failed" in messages


def _attempts(telegram: FakeTelegram, x: FakeX) -> tuple[int, int]:
    """Posting calls each fake answered (failed ones included), up to 4 and 2."""
    sends = len(telegram.calls_to("sendPhoto")) + len(telegram.calls_to("sendMessage"))
    return min(sends, 4), min(sum(1 for call in x.calls if call.method == "POST /2/tweets"), 2)


def _redirect_loop_before(telegram: ServerThread, chat: int) -> web.Application:
    """A Bot API that sends the channel's posts round a redirect loop, and passes the rest on."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        to_channel = re.search(rb'chat_id(?:=|"\r\n\r\n|": ?")(?:%40|@)yemen_news', body)
        if request.path.endswith(("/sendMessage", "/sendPhoto")) and to_channel:
            raise web.HTTPTemporaryRedirect(request.path_qs)
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                f"{telegram.url}{request.path_qs}",
                data=body,
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type=answer.content_type
            )

    application = web.Application()
    application.router.add_route("*", "/{tail:.*}", handle)
    return application


@pytest.fixture
def stderr_log() -> Iterator[io.StringIO]:
    """What `nashir run --debug` writes to stderr: `configure_logging` at DEBUG."""
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging(level="DEBUG", stream=stream)
    for name in NOISY:  # --debug shows the libraries too
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


async def test_a_redirect_loop_a_401_and_the_webhook_secret_never_leave(
    database_url: str,
    site: DemoSite,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
    fake_telegram: FakeTelegram,
    stderr_log: io.StringIO,
    json_log: io.StringIO,
) -> None:
    channel = fake_telegram.add_channel("@yemen_news")
    fake_telegram.add_user(ADMIN, "admin", "en")
    port = _free_port()
    with ServerThread(_redirect_loop_before(telegram_server, channel)) as looping:
        env = settings_for(
            database_url,
            site_server,
            looping,
            x_server,
            NASHIR_ADMIN_IDS=str(ADMIN),
            NASHIR_HTTP_PORT=str(port),
            NASHIR_MAX_ATTEMPTS="1",
        )
        site.publish_next()
        async with running(env, webhook=f"http://127.0.0.1:{port}/telegram/hook") as app:
            webhook_secret = app.webhook_secret
            await primed(app)
            site.publish_next()
            await eventually(lambda: _delivery_failed(app), within=20)
            async with app.db.session() as session:
                stored = [
                    *(await session.scalars(select(DeliveryRow.last_error))),
                    *(await session.scalars(select(SourceRow.last_error))),
                ]
            health = (await get(app, "/healthz")).text
            metrics = str(await scrape(app))

    # A token the Bot API refuses (401): PTB's error quotes it.
    env.update(TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_URL=telegram_server.url)
    refused = build(load_settings(env, env_file=None), polling=False)
    with pytest.raises(InvalidToken) as caught:
        await refused.start()
    await refused.stop()
    assert refused.telegram is not None
    for request in refused.telegram.bot._request:  # PTB leaves them open when getMe fails
        await request.shutdown()
    logging.getLogger("bot.cli").error("nashir run: %s", caught.value)
    cli_line = redact(f"InvalidToken: {caught.value}", extra=["secret-not-logged"])

    sent = [m.get("text", "") or m.get("caption", "") for m in fake_telegram.messages(ADMIN)]
    outputs = [stderr_log.getvalue(), json_log.getvalue(), health, metrics, cli_line]
    everything = "\n".join([*outputs, *filter(None, stored), *sent])
    for secret in (*SECRETS, WRONG_TOKEN, webhook_secret):
        assert secret not in everything
    # each place that would have carried one was there, redacted
    assert any("TooManyRedirects" in e and "/bot***/" in e for e in filter(None, stored))
    assert "'secret_token': '***'" in stderr_log.getvalue()  # PTB's setWebhook debug line
    assert "The token `***` was rejected" in stderr_log.getvalue()
    assert "The token `***` was rejected" in cli_line


async def _delivery_failed(app: App) -> bool:
    async with app.db.session() as session:
        errors = list(await session.scalars(select(DeliveryRow.last_error)))
    return any(error and "TooManyRedirects" in error for error in errors)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
