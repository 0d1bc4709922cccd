"""A local Telegram Bot API that the real python-telegram-bot talks to over HTTP.

Tests, benchmarks and the demo point ``telegram.Bot(token, base_url=f"{url}/bot")``
at this fake instead of api.telegram.org. It answers in the Bot API's exact wire
format (``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": N,
"description": "...", "parameters": {...}}``), so PTB raises the same exceptions it
raises in production: ``BadRequest``, ``Forbidden``, ``RetryAfter``,
``ChatMigrated``, ``Conflict``, ``TimedOut``.

What it models, and why:

* chats the test declares (channels by ``@username`` or id, groups with forum
  topics, users whose private chat id is their user id); anything else is
  "chat not found", as for a bot that was never added;
* messages per chat with edits applied and deletions removed, so a test can assert
  what readers actually see;
* Telegram's HTML parse mode through `bot.text.telegram_html` and the 4096/1024
  visible-length limits;
* flood control (30 messages/s overall, 1000/s for sends with
  ``allow_paid_broadcast``, 1/s per private chat, 20/min per group or channel,
  scalable), answering 429 with ``retry_after``; a client that retries
  before that time is counted in ``early_retries``, which benchmarks report;
* faults a test switches on (server errors, timeouts, blocked users, kicked bot,
  migrated groups, flood), each for a number of calls;
* updates a test injects (a user sends /start, presses a button, types an inline
  query), delivered by ``getUpdates`` long polling or pushed to a webhook.

Markdown parse modes are not simulated: they answer "unsupported parse_mode".
Flood control counts the ``send*`` methods only (not edits or chat actions).

State lives on the instance and is guarded by one lock, because tests read it from
their own thread while the server thread writes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from aiohttp import web

from bot.sandbox.server import Call, CallLog, CallMatch, ServerThread
from bot.text.telegram_html import (
    Entity,
    TelegramHTMLError,
    parse_html,
    strip_message,
    utf16_length,
)

__all__ = [
    "FakeTelegram",
    "TelegramFault",
    "TelegramFaultKind",
    "UploadedFile",
    "WebhookDelivery",
]

JSON = dict[str, Any]
TelegramFaultKind = Literal[
    "server_error",
    "timeout",
    "blocked",
    "deactivated",
    "kicked",
    "chat_not_found",
    "migrate",
    "parse_error",
    "too_long",
    "flood",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_DEFAULT_UPDATE_TYPES = _words(
    "message edited_message channel_post edited_channel_post inline_query "
    "chosen_inline_result callback_query shipping_query pre_checkout_query poll "
    "poll_answer my_chat_member chat_join_request"
)
_CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
# Form fields arrive as strings; these are converted to the types the Bot API documents.
_JSON_FIELDS = _words(
    "reply_markup entities caption_entities link_preview_options reply_parameters "
    "allowed_updates commands scope results button media"
)
_INT_FIELDS = _words(
    "message_id offset limit timeout message_thread_id user_id cache_time "
    "max_connections reply_to_message_id"
)
_CHAT_FIELDS = frozenset({"chat_id", "from_chat_id"})
_BOOL_FIELDS = _words(
    "disable_notification protect_content show_alert drop_pending_updates is_personal "
    "has_spoiler show_caption_above_media allow_sending_without_reply "
    "disable_web_page_preview allow_paid_broadcast"
)
_WEBHOOK_KEY = web.AppKey[tuple[aiohttp.ClientSession, "asyncio.Task[None]"]]("sandbox_webhook")
_INT = re.compile(r"-?\d+")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_WORD = r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u200c]"
_AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]»'،]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w)")),
    ("hashtag", re.compile(rf"(?<![\w#])#(?={_WORD}*[^\W\d_]){_WORD}+")),
)


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file sent as multipart form data (``sendPhoto`` with bytes)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class TelegramFault:
    """A switched-on failure; ``times=None`` keeps it on until `clear_faults`."""

    kind: TelegramFaultKind
    method: str | None
    chat_id: int | str | None
    times: int | None
    status: int
    retry_after: int
    delay: float
    hits: int = 0


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One attempt to push an update to the webhook; ``status`` is None on network error."""

    update_id: int
    status: int | None
    error: str | None
    time: float


@dataclass(slots=True)
class _FloodLimits:
    enabled: bool = False
    scale: float = 1.0
    global_per_second: float = 30.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    paid_per_second: float = 1000.0


@dataclass(slots=True)
class _User:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(slots=True)
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    last_message_id: int = 0
    messages: dict[int, JSON] = field(default_factory=dict)

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass(slots=True)
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


class _ApiError(Exception):
    """An error answer; raised inside method implementations, turned into JSON once."""

    def __init__(
        self,
        status: int,
        description: str,
        parameters: JSON | None = None,
        *,
        html: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.html = html

    def response(self) -> web.Response:
        if self.html:
            body = (
                f"<html>\r\n<head><title>{self.description}</title></head>\r\n<body>\r\n"
                f"<center><h1>{self.description}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n"
            )
            return web.Response(status=self.status, text=body, content_type="text/html")
        data: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return _json_response(self.status, data)


@dataclass(frozen=True, slots=True)
class _Described:
    """A result that the Bot API answers with an extra ``description`` (setWebhook)."""

    result: Any
    description: str


def _json_response(status: int, data: JSON) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode(),
        content_type="application/json",
    )


def _bad_request(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _coerce(key: str, value: str) -> Any:
    """Convert one form field the way the Bot API reads it (PTB sends JSON as strings)."""
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _CHAT_FIELDS or key in _INT_FIELDS:
        return int(value) if _INT.fullmatch(value) else value
    if key in _BOOL_FIELDS:
        lowered = value.lower()
        if lowered in {"true", "1"}:
            return True
        if lowered in {"false", "0"}:
            return False
    return value


def _retry_seconds(seconds: float) -> int:
    """Telegram's retry_after: whole seconds, rounded up, never zero."""
    return max(1, math.ceil(seconds - 1e-9))


def _auto_entities(text: str, explicit: list[JSON]) -> list[JSON]:
    """Entities Telegram finds by itself: commands, links, mentions, hashtags.

    Nothing is detected inside code, pre or text links, as in Telegram clients.
    """
    if not any(ch in text for ch in "/@#:"):
        return []
    verbatim = [
        (e["offset"], e["offset"] + e["length"])
        for e in explicit
        if e.get("type") in {"code", "pre", "text_link"}
    ]
    found: list[JSON] = []
    for kind, pattern in _AUTO_ENTITIES:
        for match in pattern.finditer(text):
            offset = utf16_length(text[: match.start()])
            length = utf16_length(match.group())
            if any(start < offset + length and offset < end for start, end in verbatim):
                continue
            found.append({"type": kind, "offset": offset, "length": length})
    return found


def _entities_from_api(raw: Any) -> list[Entity]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _bad_request("can't parse entities JSON object")
    entities = []
    for item in raw:
        if not isinstance(item, dict) or not {"type", "offset", "length"} <= item.keys():
            raise _bad_request('can\'t parse MessageEntity: field "type" must be of type String')
        entities.append(
            Entity(
                str(item["type"]),
                int(item["offset"]),
                int(item["length"]),
                url=item.get("url"),
                language=item.get("language"),
                custom_emoji_id=item.get("custom_emoji_id"),
            )
        )
    return entities


class FakeTelegram:
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

    def __init__(
        self,
        token: str = "123456789:TEST-token_for_the_fake",
        *,
        bot_username: str = "nashir_test_bot",
        bot_name: str = "Nashir",
        strict_html: bool = True,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.strict_html = strict_html
        self.webhook_retry_delay = webhook_retry_delay
        self._lock = threading.RLock()
        self._log = CallLog()
        self._chats: dict[int, _Chat] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, _User] = {}
        self._channel_ids = itertools.count(1)
        self._flood = _FloodLimits()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: set[asyncio.Event] = set()
        self._webhook_wakeup: asyncio.Event | None = None
        self._methods = self._method_table()
        # Never restarted by reset(): a poller's offset must keep admitting new updates.
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._clear_state()

    # ----------------------------------------------------------------- lifecycle

    def _clear_state(self) -> None:
        self._faults: list[TelegramFault] = []
        self._updates: list[JSON] = []
        self._pending_callbacks: set[str] = set()
        self._pending_inline: set[str] = set()
        self.callback_answers: dict[str, JSON] = {}
        self.inline_answers: dict[str, JSON] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._known_files: set[str] = set()
        self._webhook: _Webhook | None = None
        self._allowed_updates: frozenset[str] = _DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._penalties: dict[int, float] = {}
        self._delivered: Counter[int] = Counter()
        self._texts: Counter[tuple[int, str]] = Counter()
        self._duplicates: list[tuple[int, str]] = []
        self._webhook_deliveries: list[WebhookDelivery] = []
        self.sent_count = 0
        self.count_429 = 0
        self.early_retries = 0

    def reset(self) -> None:
        """Forget calls, messages, updates, faults, webhook and counters; keep the chats.

        Flood limit settings stay as they were, so a benchmark can reset between runs.
        """
        with self._lock:
            self._log.clear()
            self._clear_state()
            for chat in self._chats.values():
                chat.messages.clear()
                if chat.migrated_to is not None:
                    chat.migrated_to = None

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

    # --------------------------------------------------------------------- chats

    def add_channel(
        self, username: str | None = None, chat_id: int | None = None, *, title: str = "Channel"
    ) -> int:
        """Declare a channel the bot can post to; returns its id (``-100...``)."""
        with self._lock:
            chat_id = chat_id if chat_id is not None else -1002000000000 - next(self._channel_ids)
            name = username.removeprefix("@") if username else None
            self._add_chat(_Chat(chat_id, "channel", title=title, username=name))
            return chat_id

    def add_group(
        self,
        chat_id: int | None = None,
        *,
        title: str = "Group",
        is_forum: bool = False,
        username: str | None = None,
        supergroup: bool = True,
    ) -> int:
        """Declare a group (a supergroup unless ``supergroup=False``); returns its id."""
        with self._lock:
            if chat_id is None:
                chat_id = -1003000000000 - next(self._channel_ids)
            kind = "supergroup" if supergroup or is_forum else "group"
            name = username.removeprefix("@") if username else None
            self._add_chat(_Chat(chat_id, kind, title=title, username=name, is_forum=is_forum))
            return chat_id

    def add_topic(self, chat_id: int, name: str = "Topic") -> int:
        """Create a forum topic; returns its ``message_thread_id``."""
        with self._lock:
            chat = self._chats[chat_id]
            if not chat.is_forum:
                raise ValueError(f"chat {chat_id} is not a forum")
            thread_id = chat.next_message_id()
            chat.topics[thread_id] = name
            return thread_id

    def add_user(
        self,
        user_id: int,
        first_name: str = "User",
        language_code: str | None = "ar",
        *,
        username: str | None = None,
        last_name: str | None = None,
    ) -> int:
        """Declare a user who started the bot; their private chat id is ``user_id``."""
        with self._lock:
            user = _User(user_id, first_name, last_name, username, language_code)
            self._users[user_id] = user
            if user_id not in self._chats:
                self._add_chat(
                    _Chat(
                        user_id,
                        "private",
                        username=username,
                        first_name=first_name,
                        last_name=last_name,
                    )
                )
            return user_id

    def migrate(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Upgrade a group to a supergroup: the old id now answers "migrate", the new one works."""
        with self._lock:
            old = self._chats[chat_id]
            new_id = new_chat_id if new_chat_id is not None else -1000000000000 - abs(chat_id)
            self._add_chat(_Chat(new_id, "supergroup", title=old.title, username=old.username))
            old.migrated_to = new_id
            return new_id

    def _add_chat(self, chat: _Chat) -> None:
        self._chats[chat.id] = chat
        if chat.username:
            self._usernames[chat.username.lower()] = chat.id

    def _resolve(self, chat_id: Any) -> _Chat | None:
        if isinstance(chat_id, bool):
            return None
        if isinstance(chat_id, int):
            return self._chats.get(chat_id)
        if isinstance(chat_id, str):
            if _INT.fullmatch(chat_id):
                return self._chats.get(int(chat_id))
            if chat_id.startswith("@"):
                found = self._usernames.get(chat_id[1:].lower())
                return self._chats.get(found) if found is not None else None
        return None

    def _chat(self, params: Mapping[str, Any]) -> _Chat:
        if params.get("chat_id") in (None, ""):
            raise _bad_request("chat_id is empty")
        chat = self._resolve(params["chat_id"])
        if chat is None:
            raise _bad_request("chat not found")
        if chat.migrated_to is not None:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    # ---------------------------------------------------------------- inspection

    @property
    def calls(self) -> list[Call]:
        """Every request received so far, oldest first."""
        return self._log.snapshot()

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self._log.snapshot() if call.method.lower() == wanted]

    def messages(self, chat_id: int | str, *, include_users: bool = False) -> list[JSON]:
        """Live messages in a chat as readers see them: edits applied, deletions gone.

        Only the bot's own messages unless ``include_users``.
        """
        with self._lock:
            chat = self._resolve(chat_id)
            if chat is None:
                raise KeyError(chat_id)
            return [
                copy.deepcopy(message)
                for message in chat.messages.values()
                if include_users or not message.get("_from_user")
            ]

    def delivered(self, chat_id: int | str | None = None) -> int:
        """Messages successfully sent to one chat (or all chats); deletions don't subtract."""
        with self._lock:
            if chat_id is None:
                return self.sent_count
            chat = self._resolve(chat_id)
            return self._delivered[chat.id] if chat else 0

    def delivered_counts(self) -> dict[int, int]:
        """Messages successfully sent, per chat id."""
        with self._lock:
            return dict(self._delivered)

    def duplicates(self) -> list[tuple[int, str]]:
        """(chat id, text) pairs that were sent more than once: a broadcast bug."""
        with self._lock:
            return list(self._duplicates)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Attempts to push updates to the webhook, with the status it answered."""
        with self._lock:
            return list(self._webhook_deliveries)

    @property
    def waiting_polls(self) -> int:
        """How many long-polling getUpdates requests are waiting for an update."""
        return len(self._waiters)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates or accepted by the webhook."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list stored for a scope and language (as getMyCommands answers)."""
        with self._lock:
            return list(self._commands.get(self._commands_key(scope, language_code), []))

    def wait_for(self, match: CallMatch, timeout: float = 5.0) -> Call:
        """Block until a call matching a predicate or method name has been recorded."""
        return self._log.wait_for(match, timeout)

    async def wait_for_async(self, match: CallMatch, timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """Await a matching call without blocking the caller's event loop."""
        return await self._log.wait_for_async(match, timeout)

    # ---------------------------------------------------------- faults and limits

    def fault(
        self,
        kind: TelegramFaultKind,
        *,
        method: str | None = None,
        chat_id: int | str | None = None,
        times: int | None = 1,
        status: int | None = None,
        retry_after: int = 5,
        delay: float = 10.0,
    ) -> TelegramFault:
        """Make the next matching calls fail.

        Args:
            kind: What goes wrong (see `TelegramFaultKind`).
            method: Only calls of this method (case-insensitive); None for any.
            chat_id: Only calls addressed to this chat; None for any.
            times: How many calls fail; None for until `clear_faults`.
            status: For ``server_error``: 500 (JSON) or 502 (nginx HTML page).
            retry_after: For ``flood``: the seconds announced.
            delay: For ``timeout``: seconds the answer is held back. The call is then
                processed normally, so the message arrives although the client gave
                up, exactly the ambiguity real timeouts create.
        """
        default_status = {"server_error": 500, "blocked": 403, "deactivated": 403, "kicked": 403}
        fault = TelegramFault(
            kind=kind,
            method=method.lower() if method else None,
            chat_id=chat_id,
            times=times,
            status=status or default_status.get(kind, 400),
            retry_after=retry_after,
            delay=delay,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def limits(
        self,
        enabled: bool = True,
        *,
        scale: float = 1.0,
        global_per_second: float = 30.0,
        private_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        paid_per_second: float = 1000.0,
    ) -> None:
        """Switch flood control on or off; ``scale`` multiplies every allowed rate.

        The defaults are Telegram's published broadcast limits. With ``scale=100``
        a benchmark may send 3000 messages per second overall. Sends that carry
        ``allow_paid_broadcast`` are held to ``paid_per_second`` overall instead.
        """
        with self._lock:
            self._flood = _FloodLimits(
                enabled,
                scale,
                global_per_second,
                private_per_second,
                group_per_minute,
                paid_per_second,
            )
            self._global_window.clear()
            self._chat_windows.clear()
            self._penalties.clear()

    def _take_fault(self, method: str, params: Mapping[str, Any]) -> TelegramFault | None:
        if not self._faults:
            return None
        target = self._resolve(params.get("chat_id"))
        for fault in self._faults:
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_id is not None:
                wanted = self._resolve(fault.chat_id)
                if wanted is None or target is None or wanted.id != target.id:
                    continue
            fault.hits += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    def _fault_error(self, fault: TelegramFault, params: Mapping[str, Any]) -> _ApiError:
        chat = self._resolve(params.get("chat_id"))
        kind = fault.kind
        if kind == "server_error":
            if fault.status == 502:
                return _ApiError(502, "502 Bad Gateway", html=True)
            return _ApiError(fault.status, "Internal Server Error")
        if kind == "blocked":
            return _ApiError(403, "Forbidden: bot was blocked by the user")
        if kind == "deactivated":
            return _ApiError(403, "Forbidden: user is deactivated")
        if kind == "kicked":
            chat_type = chat.type if chat and chat.type != "private" else "channel"
            return _ApiError(403, f"Forbidden: bot was kicked from the {chat_type} chat")
        if kind == "chat_not_found":
            return _bad_request("chat not found")
        if kind == "migrate":
            if chat is None:
                return _bad_request("chat not found")
            new_id = chat.migrated_to or self.migrate(chat.id)
            return _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        if kind == "parse_error":
            return _bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag \"b\""
            )
        if kind == "too_long":
            return _bad_request("message is too long")
        self.count_429 += 1
        if chat is not None:
            self._penalties[chat.id] = time.monotonic() + fault.retry_after
        return _ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )

    def _window(self, chat: _Chat) -> tuple[int, float]:
        """Allowed messages and window length for a chat; ``scale`` stretches either."""
        limits = self._flood
        if chat.type == "private":
            base, seconds = limits.private_per_second, 1.0
        else:
            base, seconds = limits.group_per_minute, 60.0
        return _scaled(base * limits.scale, seconds)

    def _check_flood(self, chat: _Chat, now: float, *, paid: bool = False) -> None:
        """Raise 429 if this message would exceed a limit; called before sending."""
        penalty = self._penalties.get(chat.id)
        if penalty is not None:
            if now < penalty:
                self.early_retries += 1
                self.count_429 += 1
                seconds = _retry_seconds(penalty - now)
                raise _ApiError(
                    429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
                )
            del self._penalties[chat.id]
        if not self._flood.enabled:
            return
        waits = []
        overall = self._flood.paid_per_second if paid else self._flood.global_per_second
        global_limit, global_seconds = _scaled(overall * self._flood.scale, 1.0)
        waits.append(_window_wait(self._global_window, global_limit, global_seconds, now))
        chat_limit, chat_seconds = self._window(chat)
        chat_window = self._chat_windows.setdefault(chat.id, deque())
        waits.append(_window_wait(chat_window, chat_limit, chat_seconds, now))
        wait = max(waits)
        if wait > 0:
            seconds = _retry_seconds(wait)
            self._penalties[chat.id] = now + seconds
            self.count_429 += 1
            raise _ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )

    def _count_delivery(self, chat: _Chat, text: str, now: float) -> None:
        if self._flood.enabled:
            self._global_window.append(now)
            self._chat_windows.setdefault(chat.id, deque()).append(now)
        self.sent_count += 1
        self._delivered[chat.id] += 1
        key = (chat.id, text)
        self._texts[key] += 1
        if self._texts[key] == 2:
            self._duplicates.append(key)

    # ------------------------------------------------------------------ HTTP layer

    def _method_table(
        self,
    ) -> dict[str, tuple[str, Callable[[JSON], Any] | Callable[[JSON], Awaitable[Any]], bool]]:
        sync: dict[str, Callable[[JSON], Any]] = {
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
        table: dict[
            str, tuple[str, Callable[[JSON], Any] | Callable[[JSON], Awaitable[Any]], bool]
        ] = {name.lower(): (name, func, False) for name, func in sync.items()}
        table["getupdates"] = ("getUpdates", self._get_updates, True)
        return table

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self._log.append(Call(name, {}, arrived, 401, "Unauthorized"))
            return _ApiError(401, "Unauthorized").response()
        entry = self._methods.get(name.lower())
        if entry is None:
            self._log.append(Call(name, {}, arrived, 404, "Not Found"))
            return _ApiError(404, "Not Found").response()
        canonical, func, is_async = entry
        params: JSON = {}
        try:
            params = await _read_params(request)
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
        except _ApiError as error:
            self._log.append(Call(canonical, params, arrived, error.status, error.description))
            return error.response()
        except (TypeError, ValueError, KeyError) as error:
            # Malformed parameters the fake does not model; answer as Telegram does for
            # an unexpected failure, and keep the cause in the call log for the test.
            self._log.append(
                Call(canonical, params, arrived, 500, f"Internal Server Error: {error!r}")
            )
            return _ApiError(500, "Internal Server Error").response()
        body: JSON = {"ok": True}
        if isinstance(result, _Described):
            body["result"], body["description"] = result.result, result.description
        else:
            body["result"] = result
        response = _json_response(200, body)
        self._log.append(Call(canonical, params, arrived, 200, None, body["result"]))
        return response

    # -------------------------------------------------------------- message helpers

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _format(self, text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
        """Apply the parse mode and Telegram's trimming; entities come back as API dicts."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if parse_mode:
            if str(parse_mode).lower() != "html":
                raise _bad_request("unsupported parse_mode")
            try:
                visible, parsed = parse_html(text, strict=self.strict_html)
            except TelegramHTMLError as error:
                raise _bad_request(f"can't parse entities: {error.description}") from error
        else:
            visible, parsed = text, _entities_from_api(entities)
        visible, parsed = strip_message(visible, parsed)
        explicit = [entity.to_api() for entity in parsed]
        for entity in explicit:
            if entity["type"] == "text_link" and str(entity["url"]).startswith("tg://user?id="):
                user = self._users.get(int(entity["url"].split("=", 1)[1] or 0))
                if user is not None:
                    entity.pop("url")
                    entity["type"], entity["user"] = "text_mention", user.to_api()
        combined = explicit + _auto_entities(visible, explicit)
        combined.sort(key=lambda e: (e["offset"], -e["length"]))
        return visible, combined

    def _thread(self, chat: _Chat, params: Mapping[str, Any]) -> int | None:
        thread_id = params.get("message_thread_id")
        if thread_id in (None, "", 0):
            return None
        if not isinstance(thread_id, int):
            raise _bad_request("message thread not found")
        if chat.is_forum and thread_id not in chat.topics and thread_id != 1:
            raise _bad_request("message thread not found")
        return thread_id

    def _new_message(self, chat: _Chat, params: Mapping[str, Any]) -> JSON:
        thread_id = self._thread(chat, params)
        message: JSON = {"message_id": chat.next_message_id()}
        if chat.type == "channel":
            message["sender_chat"] = chat.to_api()
        else:
            message["from"] = self._bot_user()
        message["chat"] = chat.to_api()
        message["date"] = int(time.time())
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.is_forum:
                message["is_topic_message"] = True
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        reply_id = reply_id or params.get("reply_to_message_id")
        if reply_id:
            original = chat.messages.get(int(reply_id))
            if original is not None:
                message["reply_to_message"] = _public(original)
            elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
                raise _bad_request("message to be replied not found")
        return message

    @staticmethod
    def _decorate(message: JSON, params: Mapping[str, Any]) -> None:
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        elif markup is not None and not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        preview = params.get("link_preview_options")
        if isinstance(preview, dict):
            message["link_preview_options"] = preview

    def _store(self, chat: _Chat, message: JSON) -> JSON:
        chat.messages[message["message_id"]] = message
        return _public(message)

    def _existing(self, params: Mapping[str, Any], *, action: str) -> tuple[_Chat, JSON]:
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise _bad_request(f"message to {action} not found")
        if action == "edit" and message.get("_from_user"):
            raise _bad_request("message can't be edited")
        return chat, message

    # ---------------------------------------------------------------- Bot methods

    def _get_me(self, params: JSON) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        now = time.monotonic()
        self._check_flood(chat, now, paid=params.get("allow_paid_broadcast") is True)
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        message = self._new_message(chat, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        self._decorate(message, params)
        self._count_delivery(chat, text, now)
        return self._store(chat, message)

    def _photo_sizes(self, photo: Any) -> list[JSON]:
        if isinstance(photo, str) and photo.startswith("attach://"):
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(photo, UploadedFile):
            if not photo.data:
                raise _bad_request("file must be non-empty")
            size = len(photo.data)
        elif isinstance(photo, str) and photo:
            if not photo.startswith(("http://", "https://")) and photo not in self._known_files:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            size = 0
        else:
            raise _bad_request("there is no photo in the request")
        serial = next(self._file_ids)
        sizes = []
        for index, (width, height) in enumerate(((90, 60), (320, 213), (800, 533))):
            file_id = f"AgACAgQAAxkDAAI{serial:06d}{index}"
            self._known_files.add(file_id)
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": f"AQAD{serial:06d}{index}",
                    "width": width,
                    "height": height,
                    "file_size": max(size // (3 - index), 1) if size else 1000 * (index + 1),
                }
            )
        return sizes

    def _send_photo(self, params: JSON) -> JSON:
        chat = self._chat(params)
        now = time.monotonic()
        self._check_flood(chat, now, paid=params.get("allow_paid_broadcast") is True)
        caption, entities = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        sizes = self._photo_sizes(params.get("photo"))
        message = self._new_message(chat, params)
        message["photo"] = sizes
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        if params.get("has_spoiler"):
            message["has_media_spoiler"] = True
        self._decorate(message, params)
        self._count_delivery(chat, caption, now)
        return self._store(chat, message)

    def _edited(self, chat: _Chat, old: JSON, new: JSON) -> JSON:
        if {k: v for k, v in new.items() if k != "edit_date"} == {
            k: v for k, v in old.items() if k != "edit_date"
        }:
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        new["edit_date"] = int(time.time())
        return self._store(chat, new)

    def _edit_message_text(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        chat, old = self._existing(params, action="edit")
        if "text" not in old:
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        new = {k: v for k, v in old.items() if k not in {"entities", "reply_markup"}}
        new["text"] = text
        if entities:
            new["entities"] = entities
        self._decorate(new, params)
        return self._edited(chat, old, new)

    def _edit_message_caption(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        chat, old = self._existing(params, action="edit")
        if "photo" not in old:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        new = {
            k: v for k, v in old.items() if k not in {"caption", "caption_entities", "reply_markup"}
        }
        if caption:
            new["caption"] = caption
        if entities:
            new["caption_entities"] = entities
        self._decorate(new, params)
        return self._edited(chat, old, new)

    def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        chat, old = self._existing(params, action="edit")
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        self._decorate(new, {"reply_markup": params.get("reply_markup")})
        return self._edited(chat, old, new)

    def _delete_message(self, params: JSON) -> bool:
        chat, message = self._existing(params, action="delete")
        del chat.messages[message["message_id"]]
        return True

    def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(params)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _send_chat_action(self, params: JSON) -> bool:
        chat = self._chat(params)
        self._thread(chat, params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._pending_callbacks:
            raise _bad_request(_QUERY_TOO_OLD.removeprefix("Bad Request: "))
        self._pending_callbacks.discard(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    def _answer_inline_query(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self._pending_inline:
            raise _bad_request(_QUERY_TOO_OLD.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise _bad_request("RESULTS_TOO_MUCH")
        for result in results:
            if not isinstance(result, dict) or not result.get("id") or not result.get("type"):
                raise _bad_request("RESULT_ID_EMPTY")
        self._pending_inline.discard(query_id)
        self.inline_answers[query_id] = dict(params)
        return True

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        stored = [
            {"command": str(c["command"]), "description": str(c["description"])} for c in commands
        ]
        if stored:
            self._commands[key] = stored
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JSON) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    # ------------------------------------------------------------------- updates

    def _enqueue(self, update: JSON) -> None:
        with self._lock:
            self._updates.append(update)
        self._notify()

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        for event in self._waiters:
            event.set()
        if self._webhook_wakeup is not None:
            self._webhook_wakeup.set()

    async def _get_updates(self, params: JSON) -> list[JSON]:
        with self._lock:
            if self._webhook is not None:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        self._wake()  # a poll that was waiting is now terminated by this one
        offset = params.get("offset")
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        try:
            wait = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            wait = 0.0
        deadline = time.monotonic() + wait
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            while True:
                with self._lock:
                    if generation != self._poll_generation:
                        raise _ApiError(
                            409,
                            "Conflict: terminated by other getUpdates request; make sure "
                            "that only one bot instance is running",
                        )
                    if self._webhook is not None:
                        raise _ApiError(409, "Conflict: terminated by setWebhook request")
                    ready = self._take_updates(offset, limit)
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return ready
                event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            self._waiters.discard(event)

    def _take_updates(self, offset: Any, limit: int) -> list[JSON]:
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        self._updates = [u for u in self._updates if _update_type(u) in self._allowed_updates]
        return copy.deepcopy(self._updates[:limit])

    def _set_webhook(self, params: JSON) -> _Described:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        if params.get("drop_pending_updates"):
            self._updates.clear()
        max_connections = params.get("max_connections")
        self._webhook = _Webhook(
            url=url,
            secret_token=str(secret) if secret is not None else None,
            max_connections=max_connections if isinstance(max_connections, int) else 40,
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self._wake()
        return _Described(True, "Webhook was set")

    def _delete_webhook(self, params: JSON) -> _Described:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if self._webhook is None:
            return _Described(True, "Webhook is already deleted")
        self._webhook = None
        return _Described(True, "Webhook was deleted")

    def _get_webhook_info(self, params: JSON) -> JSON:
        hook = self._webhook
        info: JSON = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _webhook_worker(self, session: aiohttp.ClientSession) -> None:
        """Push queued updates to the webhook one at a time, retrying failures.

        Runs on the server's loop for the server's lifetime; like Telegram, an
        update stays queued until the webhook answers 2xx.
        """
        assert self._webhook_wakeup is not None
        wakeup = self._webhook_wakeup
        while True:
            await wakeup.wait()
            wakeup.clear()
            while True:
                with self._lock:
                    hook = self._webhook
                    queued = [u for u in self._updates if _update_type(u) in self._allowed_updates]
                    if hook is None or not queued:
                        break
                    update = queued[0]
                status, error = await self._push(session, hook, update)
                with self._lock:
                    self._webhook_deliveries.append(
                        WebhookDelivery(update["update_id"], status, error, time.monotonic())
                    )
                    if status is not None and 200 <= status < 300:
                        self._updates = [
                            u for u in self._updates if u["update_id"] != update["update_id"]
                        ]
                        continue
                    hook.last_error_date = int(time.time())
                    hook.last_error_message = error or f"Wrong response from the webhook: {status}"
                await asyncio.sleep(self.webhook_retry_delay)

    @staticmethod
    async def _push(
        session: aiohttp.ClientSession, hook: _Webhook, update: JSON
    ) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with session.post(
                hook.url,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                await response.read()
                return response.status, None
        except (aiohttp.ClientError, TimeoutError) as error:
            return None, f"Connection failed: {error!r}"

    # --------------------------------------------------------- injected updates

    def _ensure_user(self, user_id: int, language_code: str | None) -> _User:
        user = self._users.get(user_id)
        if user is None:
            self.add_user(user_id, f"User{user_id}", language_code)
            user = self._users[user_id]
        elif language_code is not None:
            user.language_code = language_code
        return user

    def user_sends(
        self,
        user_id: int,
        text: str = "",
        *,
        chat_id: int | None = None,
        language_code: str | None = "ar",
        chat_type: Literal["private", "group", "supergroup", "channel"] = "private",
        edited: bool = False,
        sticker: bool = False,
        photo: bool = False,
    ) -> JSON:
        """Inject a message from a user (or a channel post) and return the Update.

        Commands like ``/start`` or ``/start@botname`` get their ``bot_command``
        entity, as Telegram adds it. With ``edited=True`` the user's last message
        in that chat is edited (a new one if there is none). Unknown users and
        groups are created on the fly.
        """
        with self._lock:
            user = self._ensure_user(user_id, language_code)
            if chat_type == "private":
                chat = self._chats[user_id]
            else:
                if chat_id is None:
                    raise ValueError(f"chat_id is required for a {chat_type} message")
                found = self._resolve(chat_id)
                if found is None:
                    if chat_type == "channel":
                        self.add_channel(chat_id=chat_id)
                    else:
                        self.add_group(chat_id, supergroup=chat_type == "supergroup")
                    found = self._chats[chat_id]
                chat = found
            message_id = None
            if edited:
                mine = [m for m in chat.messages.values() if m.get("_from_user") == user_id]
                message_id = mine[-1]["message_id"] if mine else None
            message: JSON = {"message_id": message_id or chat.next_message_id()}
            if chat.type == "channel":
                message["sender_chat"] = chat.to_api()
            else:
                message["from"] = user.to_api()
            message["chat"] = chat.to_api()
            message["date"] = int(time.time())
            if edited:
                message["edit_date"] = int(time.time())
            entities = _auto_entities(text, [])
            if sticker:
                message["sticker"] = {
                    "file_id": f"CAACAgIAAxkBAAI{next(self._file_ids):06d}",
                    "file_unique_id": f"AgAD{user_id}",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": text or "👍",
                }
            elif photo:
                message["photo"] = self._photo_sizes("https://example.com/user-photo.jpg")
                if text:
                    message["caption"] = text
                    if entities:
                        message["caption_entities"] = entities
            else:
                message["text"] = text
                if entities:
                    message["entities"] = entities
            chat.messages[message["message_id"]] = {**message, "_from_user": user_id}
            kind = "channel_post" if chat.type == "channel" else "message"
            update = {
                "update_id": next(self._update_ids),
                ("edited_" + kind if edited else kind): message,
            }
        self._enqueue(update)
        return copy.deepcopy(update)

    def user_presses(
        self, user_id: int, message_id: int, data: str, chat_id: int | None = None
    ) -> JSON:
        """Inject a press on an inline button of a message; returns the Update.

        Raises:
            KeyError: If the message does not exist in that chat.
        """
        with self._lock:
            user = self._ensure_user(user_id, None)
            chat = self._chats[chat_id if chat_id is not None else user_id]
            message = chat.messages[message_id]
            query_id = str(4_000_000_000_000_000 + next(self._query_ids))
            self._pending_callbacks.add(query_id)
            update = {
                "update_id": next(self._update_ids),
                "callback_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "message": _public(message),
                    "chat_instance": str(abs(hash((chat.id, self.bot_id)))),
                    "data": data,
                },
            }
        self._enqueue(update)
        return copy.deepcopy(update)

    def user_inline_query(self, user_id: int, query: str, *, offset: str = "") -> JSON:
        """Inject an inline query (``@bot query`` typed anywhere); returns the Update."""
        with self._lock:
            user = self._ensure_user(user_id, None)
            query_id = str(5_000_000_000_000_000 + next(self._query_ids))
            self._pending_inline.add(query_id)
            update = {
                "update_id": next(self._update_ids),
                "inline_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                },
            }
        self._enqueue(update)
        return copy.deepcopy(update)


def _public(message: JSON) -> JSON:
    """A stored message without the fake's bookkeeping keys."""
    return {k: v for k, v in message.items() if not k.startswith("_")}


def _update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def _scaled(rate: float, seconds: float) -> tuple[int, float]:
    """Express ``rate`` per ``seconds`` as a whole count per (possibly longer) window."""
    count = max(1, math.floor(rate))
    return count, seconds * count / rate


def _window_wait(window: deque[float], limit: int, seconds: float, now: float) -> float:
    """Seconds until a sliding window of ``seconds`` admits one more event (0 if now)."""
    while window and window[0] <= now - seconds:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[-limit] + seconds - now


async def _read_params(request: web.Request) -> JSON:
    """Collect parameters from the query string and a JSON, form or multipart body."""
    params: JSON = {key: _coerce(key, value) for key, value in request.query.items()}
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise _bad_request("can't parse JSON request body") from error
        if not isinstance(body, dict):
            raise _bad_request("JSON request body must be an object")
        for key, value in body.items():
            params[key] = _coerce(key, value) if isinstance(value, str) else value
        return params
    form = await request.post()
    files: dict[str, UploadedFile] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            params[key] = files[key]
        else:
            params[key] = _coerce(key, str(value))
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = files.get(value.removeprefix("attach://"), value)
    return params
