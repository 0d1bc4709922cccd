"""`nashir run --webhook URL`: Telegram pushes updates to our HTTP server.

The webhook is set with a secret token; Telegram sends it back in the
`X-Telegram-Bot-Api-Secret-Token` header of every request, and a request
without the right one is refused with 403 before its body is read. Accepted
updates go to the PTB application's `update_queue`, exactly where long
polling would have put them.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.adapters.web import RouteSetup
from handlers.context import BotApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(url: str) -> str:
    """The path our server answers on: the path of the public webhook URL."""
    return urlsplit(url).path or "/"


def webhook_routes(application: BotApplication, path: str, secret: str) -> RouteSetup:
    """Routes for `WebServer.add`: POST `path` feeds verified updates to PTB."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request refused: wrong or missing secret token")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            update = None
        if update is None:
            return web.Response(status=400, text="not an update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    def setup(routes: web.Application) -> None:
        routes.router.add_post(path, receive)

    return setup


async def set_webhook(application: BotApplication, url: str, secret: str) -> None:
    """Tell Telegram where to push updates, and the secret to send with them."""
    await application.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    log.info("Telegram webhook set to %s", url)
