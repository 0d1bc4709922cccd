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
* Telegram's HTML parse mode through `bot.core.text.telegram_html` and the 4096/1024
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

`FakeTelegram` (``fake.py``) is assembled from one mixin per group of methods,
all sharing the state declared in ``state.py``: ``chats``, ``flood``, ``faults``,
``identity`` (getMe, commands), ``messages``, ``updates`` (polling, webhook),
``interactions`` (what users do) and ``inspection`` (what tests read back).
``wire`` reads requests and writes answers, ``entities`` finds the entities
Telegram adds, ``models`` holds the plain data.
"""

from sandbox.bot_api.fake import FakeTelegram
from sandbox.bot_api.models import (
    TelegramFault,
    TelegramFaultKind,
    UploadedFile,
    WebhookDelivery,
)

__all__ = [
    "FakeTelegram",
    "TelegramFault",
    "TelegramFaultKind",
    "UploadedFile",
    "WebhookDelivery",
]
