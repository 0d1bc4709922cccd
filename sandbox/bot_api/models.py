"""Plain data the fake Bot API keeps: chats, users, the webhook, faults, limits.

Nothing here does I/O or takes the lock; the method groups own the behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "DEFAULT_UPDATE_TYPES",
    "JSON",
    "Chat",
    "FloodLimits",
    "TelegramFault",
    "TelegramFaultKind",
    "UploadedFile",
    "User",
    "Webhook",
    "WebhookDelivery",
    "public",
    "update_type",
    "words",
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


def words(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string, as the Bot API docs list them."""
    return frozenset(text.split())


# What getUpdates and the webhook deliver while ``allowed_updates`` is empty.
DEFAULT_UPDATE_TYPES = words(
    "message edited_message channel_post edited_channel_post inline_query "
    "chosen_inline_result callback_query shipping_query pre_checkout_query poll "
    "poll_answer my_chat_member chat_join_request"
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
class FloodLimits:
    """Flood control settings; off by default so functional tests never wait."""

    enabled: bool = False
    scale: float = 1.0
    global_per_second: float = 30.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    paid_per_second: float = 1000.0


@dataclass(slots=True)
class User:
    """A user the test declared; mutable because a later update may change the language."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None

    def to_api(self) -> JSON:
        """The Bot API ``User`` object, leaving out empty optional fields as Telegram does."""
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(slots=True)
class Chat:
    """A chat with its stored messages; message ids are counted per chat, as in Telegram."""

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
        """The Bot API ``Chat`` object, leaving out empty optional fields as Telegram does."""
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data

    def next_message_id(self) -> int:
        """Take the next id; forum topics take theirs from the same sequence."""
        self.last_message_id += 1
        return self.last_message_id


@dataclass(slots=True)
class Webhook:
    """The webhook set by ``setWebhook``, with the last failure ``getWebhookInfo`` reports."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


def public(message: JSON) -> JSON:
    """A stored message without the fake's bookkeeping keys."""
    return {k: v for k, v in message.items() if not k.startswith("_")}


def update_type(update: JSON) -> str:
    """The update's one payload key (``message``, ``callback_query`` ...)."""
    return next(key for key in update if key != "update_id")
