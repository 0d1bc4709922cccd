"""The Bot API transport: JSON bodies for every call but uploads, which stay multipart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web

from bot.adapters.publishers.aiohttp_request import AiohttpRequest

TOKEN = "123456789:TEST-token_for_the_transport"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        if request.path.endswith("getMe"):
            me = {"id": 123456789, "is_bot": True, "first_name": "Nashir", "username": "nashir_bot"}
            return web.json_response({"ok": True, "result": me})
        self.requests.append((request.content_type, await request.read()))
        message = {
            "message_id": len(self.requests),
            "date": 0,
            "chat": {"id": 5, "type": "private", "first_name": "Reader"},
        }
        if request.path.endswith("sendPhoto"):
            message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        return web.json_response({"ok": True, "result": message})


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    recording = Recorder()
    app = web.Application()
    app.router.add_post("/{tail:.*}", recording.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield recording, f"http://127.0.0.1:{port}/bot"
    await runner.cleanup()


async def test_a_message_goes_as_json_with_arabic_unescaped_and_objects_as_objects(
    recorder: tuple[Recorder, str],
) -> None:
    recording, base_url = recorder
    bot = telegram.Bot(TOKEN, base_url=base_url, request=AiohttpRequest())
    button = telegram.InlineKeyboardButton("اقرأ الخبر", url="https://news.example/1")
    async with bot:
        sent = await bot.send_message(
            5,
            "<b>خبر عاجل</b>",
            parse_mode="HTML",
            reply_markup=telegram.InlineKeyboardMarkup([[button]]),
        )

    assert sent.message_id == len(recording.requests)
    content_type, body = recording.requests[-1]
    assert content_type == "application/json"
    assert "خبر عاجل".encode() in body  # not percent- or \u-escaped
    sent_fields: dict[str, Any] = json.loads(body)
    assert sent_fields["chat_id"] == 5
    assert sent_fields["text"] == "<b>خبر عاجل</b>"
    assert sent_fields["reply_markup"]["inline_keyboard"][0][0]["text"] == "اقرأ الخبر"


async def test_an_upload_stays_multipart(recorder: tuple[Recorder, str]) -> None:
    recording, base_url = recorder
    bot = telegram.Bot(TOKEN, base_url=base_url, request=AiohttpRequest())
    async with bot:
        await bot.send_photo(5, b"\x89PNG\r\n\x1a\n fake image", caption="صورة الخبر")

    content_type, body = recording.requests[-1]
    assert content_type == "multipart/form-data"
    assert "صورة الخبر".encode() in body
