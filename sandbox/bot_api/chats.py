"""Chats and users the test declares, and the Bot API methods about a chat.

A bot reaches only chats it was added to; anything the test did not declare is
"chat not found", and a migrated group answers with its new id, so the code under
test meets the same dead ends it meets in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.bot_api.models import JSON, Chat, User, words
from sandbox.bot_api.state import FakeState
from sandbox.bot_api.wire import INTEGER, ApiError, bad_request

__all__ = ["Chats"]

_CHAT_ACTIONS = words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)


class Chats(FakeState):
    """Declaring chats and users, finding them by id or ``@username``, getChat."""

    def add_channel(
        self, username: str | None = None, chat_id: int | None = None, *, title: str = "Channel"
    ) -> int:
        """Declare a channel the bot can post to; returns its id (``-100...``)."""
        with self._lock:
            chat_id = chat_id if chat_id is not None else -1002000000000 - next(self._channel_ids)
            name = username.removeprefix("@") if username else None
            self._add_chat(Chat(chat_id, "channel", title=title, username=name))
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
            self._add_chat(Chat(chat_id, kind, title=title, username=name, is_forum=is_forum))
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
            user = User(user_id, first_name, last_name, username, language_code)
            self._users[user_id] = user
            if user_id not in self._chats:
                self._add_chat(
                    Chat(
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
            self._add_chat(Chat(new_id, "supergroup", title=old.title, username=old.username))
            old.migrated_to = new_id
            return new_id

    def _add_chat(self, chat: Chat) -> None:
        self._chats[chat.id] = chat
        if chat.username:
            self._usernames[chat.username.lower()] = chat.id

    def _resolve(self, chat_id: Any) -> Chat | None:
        if isinstance(chat_id, bool):
            return None
        if isinstance(chat_id, int):
            return self._chats.get(chat_id)
        if isinstance(chat_id, str):
            if INTEGER.fullmatch(chat_id):
                return self._chats.get(int(chat_id))
            if chat_id.startswith("@"):
                found = self._usernames.get(chat_id[1:].lower())
                return self._chats.get(found) if found is not None else None
        return None

    def _chat(self, params: Mapping[str, Any]) -> Chat:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        chat = self._resolve(params["chat_id"])
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _thread(self, chat: Chat, params: Mapping[str, Any]) -> int | None:
        thread_id = params.get("message_thread_id")
        if thread_id in (None, "", 0):
            return None
        if not isinstance(thread_id, int):
            raise bad_request("message thread not found")
        if chat.is_forum and thread_id not in chat.topics and thread_id != 1:
            raise bad_request("message thread not found")
        return thread_id

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
            raise bad_request("wrong parameter action in request")
        return True
