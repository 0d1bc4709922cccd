"""`FakeTelegram`: the method groups assembled and served over HTTP by aiohttp.

Requests are answered in one place, so every call is logged, checked against the
switched-on faults and turned into the Bot API's answer the same way, whichever
method group handles it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time

import aiohttp
from aiohttp import web

from sandbox.bot_api.faults import Faults
from sandbox.bot_api.inspection import Inspection
from sandbox.bot_api.interactions import Interactions
from sandbox.bot_api.models import JSON
from sandbox.bot_api.state import Handler, MethodTable
from sandbox.bot_api.wire import ApiError, Described, json_response, read_params
from sandbox.server import Call, ServerThread

__all__ = ["FakeTelegram"]

_WEBHOOK_KEY = web.AppKey[tuple[aiohttp.ClientSession, "asyncio.Task[None]"]]("sandbox_webhook")


class FakeTelegram(Interactions, Faults, Inspection):
    """In-memory Bot API for one bot, served over HTTP by `ServerThread`.

    Attributes:
        sent_count: Messages delivered (``send*`` calls that succeeded).
        count_429: Answers with status 429, from flood control or a ``flood`` fault.
        early_retries: Sends to a chat before the ``retry_after`` it was given had
            passed; each is refused again and counted, as a benchmark's penalty.
        callback_answers: answerCallbackQuery parameters by query id.
        inline_answers: answerInlineQuery parameters by query id.

    Example:
        fake = FakeTelegram()
        channel = fake.add_channel("@news")
        with fake.server() as server:
            bot = telegram.Bot(fake.token, base_url=f"{server.url}/bot")
    """

    def app(self) -> web.Application:
        """A fresh aiohttp application serving ``/bot{token}/{method}``."""
        application = web.Application(client_max_size=64 * 1024 * 1024)
        application.router.add_route("*", "/bot{token}/{method}", self._handle)
        application.on_startup.append(self._on_startup)
        application.on_cleanup.append(self._on_cleanup)
        return application

    def server(self) -> ServerThread:
        """A not yet started `ServerThread` for this fake; use it as a context manager."""
        return ServerThread(self.app())

    async def _on_startup(self, application: web.Application) -> None:
        self._loop = asyncio.get_running_loop()
        self._webhook_wakeup = asyncio.Event()
        session = aiohttp.ClientSession()
        worker = asyncio.create_task(self._webhook_worker(session))
        application[_WEBHOOK_KEY] = (session, worker)

    async def _on_cleanup(self, application: web.Application) -> None:
        session, worker = application[_WEBHOOK_KEY]
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await session.close()
        self._loop = None

    @functools.cached_property
    def _methods(self) -> MethodTable:
        """The Bot API methods served, by lower-case name: which mixin answers each."""
        sync: dict[str, Handler] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat,
            "sendChatAction": self._send_chat_action,
        }
        table: MethodTable = {name.lower(): (name, func, False) for name, func in sync.items()}
        table["getupdates"] = ("getUpdates", self._get_updates, True)
        return table

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self._log.append(Call(name, {}, arrived, 401, "Unauthorized"))
            return ApiError(401, "Unauthorized").response()
        entry = self._methods.get(name.lower())
        if entry is None:
            self._log.append(Call(name, {}, arrived, 404, "Not Found"))
            return ApiError(404, "Not Found").response()
        canonical, func, is_async = entry
        params: JSON = {}
        try:
            params = await read_params(request)
            with self._lock:
                fault = self._take_fault(name.lower(), params)
                if fault is not None and fault.kind != "timeout":
                    raise self._fault_error(fault, params)
            if fault is not None:
                await asyncio.sleep(fault.delay)
            if is_async:
                result = await func(params)
            else:
                with self._lock:
                    result = func(params)
        except ApiError as error:
            self._log.append(Call(canonical, params, arrived, error.status, error.description))
            transport = request.transport
            if error.status == 409 and transport is not None and not transport.is_closing():
                self.count_409 += 1  # a poll whose process died hears nothing: not counted
            return error.response()
        except (TypeError, ValueError, KeyError) as error:
            # Malformed parameters the fake does not model; answer as Telegram does for
            # an unexpected failure, and keep the cause in the call log for the test.
            self._log.append(
                Call(canonical, params, arrived, 500, f"Internal Server Error: {error!r}")
            )
            return ApiError(500, "Internal Server Error").response()
        body: JSON = {"ok": True}
        if isinstance(result, Described):
            body["result"], body["description"] = result.result, result.description
        else:
            body["result"] = result
        response = json_response(200, body)
        self._log.append(Call(canonical, params, arrived, 200, None, body["result"]))
        return response
