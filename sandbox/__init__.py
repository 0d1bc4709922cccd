"""Local fakes of the Telegram Bot API and the X API, served over real HTTP.

Tests, benchmarks and the demo drive the real python-telegram-bot and tweepy
against these fakes, so what passes here speaks the production wire format.
"""

from sandbox.bot_api import (
    FakeTelegram,
    TelegramFault,
    TelegramFaultKind,
    UploadedFile,
    WebhookDelivery,
)
from sandbox.server import Call, CallLog, ServerThread, wait_until, wait_until_async
from sandbox.x_api import FakeX, XFault, XFaultKind

__all__ = [
    "Call",
    "CallLog",
    "FakeTelegram",
    "FakeX",
    "ServerThread",
    "TelegramFault",
    "TelegramFaultKind",
    "UploadedFile",
    "WebhookDelivery",
    "XFault",
    "XFaultKind",
    "wait_until",
    "wait_until_async",
]
