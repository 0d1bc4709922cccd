"""What users do to the bot, injected by a test, and the bot's answers to it.

A test plays the user: it sends a message or command, presses an inline button
or types an inline query, and the update reaches the bot through the real
polling or webhook path. Button presses and inline queries must then be
answered once, before they expire, as in Telegram.
"""

from __future__ import annotations

import copy
import time
from typing import Literal

from sandbox.bot_api.entities import auto_entities
from sandbox.bot_api.messages import Messages
from sandbox.bot_api.models import JSON, Chat, User, public
from sandbox.bot_api.updates import Updates
from sandbox.bot_api.wire import bad_request

__all__ = ["Interactions"]

_ChatType = Literal["private", "group", "supergroup", "channel"]
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class Interactions(Messages, Updates):
    """Injected messages, button presses and inline queries; answerCallbackQuery/InlineQuery."""

    def _ensure_user(self, user_id: int, language_code: str | None) -> User:
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
        chat_type: _ChatType = "private",
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
            chat = self._user_chat(user_id, chat_id, chat_type)
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
            self._add_content(message, user_id, text, sticker=sticker, photo=photo)
            chat.messages[message["message_id"]] = {**message, "_from_user": user_id}
            kind = "channel_post" if chat.type == "channel" else "message"
            update = {
                "update_id": next(self._update_ids),
                ("edited_" + kind if edited else kind): message,
            }
        self._enqueue(update)
        return copy.deepcopy(update)

    def _user_chat(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: _ChatType,
    ) -> Chat:
        """The chat a user writes in; a group or channel the test did not declare is created."""
        if chat_type == "private":
            return self._chats[user_id]
        if chat_id is None:
            raise ValueError(f"chat_id is required for a {chat_type} message")
        found = self._resolve(chat_id)
        if found is None:
            if chat_type == "channel":
                self.add_channel(chat_id=chat_id)
            else:
                self.add_group(chat_id, supergroup=chat_type == "supergroup")
            found = self._chats[chat_id]
        return found

    def _add_content(
        self, message: JSON, user_id: int, text: str, *, sticker: bool, photo: bool
    ) -> None:
        """Fill in a sticker, a photo with ``text`` as caption, or ``text`` itself."""
        entities = auto_entities(text, [])
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
                    "message": public(message),
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

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._pending_callbacks:
            raise bad_request(_QUERY_TOO_OLD.removeprefix("Bad Request: "))
        self._pending_callbacks.discard(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    def _answer_inline_query(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self._pending_inline:
            raise bad_request(_QUERY_TOO_OLD.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        for result in results:
            if not isinstance(result, dict) or not result.get("id") or not result.get("type"):
                raise bad_request("RESULT_ID_EMPTY")
        self._pending_inline.discard(query_id)
        self.inline_answers[query_id] = dict(params)
        return True
