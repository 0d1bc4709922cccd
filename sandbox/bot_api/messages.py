"""Sending, editing and deleting the bot's messages, as readers will see them.

Each chat keeps its messages with edits applied and deletions removed, so a test
asserts the channel's final look rather than the calls that produced it. Text
goes through Telegram's HTML parse mode and trimming, and through the 4096/1024
visible-length limits, because those are where real sends fail.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import Any

from bot.core.text.telegram_entities import Entity
from bot.core.text.telegram_html import TelegramHTMLError, parse_html
from bot.core.text.telegram_text import TelegramTextError, fix_formatted_text
from sandbox.bot_api.chats import Chats
from sandbox.bot_api.entities import auto_entities, entities_from_api
from sandbox.bot_api.flood import FloodControl
from sandbox.bot_api.identity import BotIdentity
from sandbox.bot_api.models import JSON, Chat, UploadedFile, public
from sandbox.bot_api.wire import bad_request

__all__ = ["MAX_CAPTION_LENGTH", "MAX_TEXT_LENGTH", "Messages"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)


class Messages(Chats, FloodControl, BotIdentity):
    """sendMessage, sendPhoto, the editMessage* methods and deleteMessage."""

    def _format(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSON]]:
        """Apply the parse mode, then tdlib's cleaning, entity fixing and trimming.

        A caption with nothing visible becomes empty; a text is refused. Entities
        come back as API dicts.
        """
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if parse_mode and str(parse_mode).lower() != "html":
            raise bad_request("unsupported parse_mode")
        try:
            if parse_mode:
                visible, parsed = _html(text, strict=self.strict_html, caption=caption)
            else:
                visible, parsed = _fixed(text, entities_from_api(entities), caption=caption)
        except TelegramHTMLError as error:
            raise bad_request(f"can't parse entities: {error.description}") from error
        except TelegramTextError as error:
            if error.description == "Text must be non-empty":
                raise bad_request("message text is empty") from error
            raise bad_request(f"can't parse entities: {error.description}") from error
        explicit = [entity.to_api() for entity in parsed]
        for entity in explicit:
            if entity["type"] == "text_link" and str(entity["url"]).startswith("tg://user?id="):
                user = self._users.get(int(entity["url"].split("=", 1)[1] or 0))
                if user is not None:
                    entity.pop("url")
                    entity["type"], entity["user"] = "text_mention", user.to_api()
        combined = explicit + auto_entities(visible, explicit)
        combined.sort(key=lambda e: (e["offset"], -e["length"]))
        return visible, combined

    def _text(self, params: Mapping[str, Any]) -> tuple[str, list[JSON]]:
        """A message's text as it will be stored; sends and edits refuse the same texts."""
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, entities

    def _caption(self, params: Mapping[str, Any]) -> tuple[str, list[JSON]]:
        """A photo's caption as it will be stored; unlike a text it may be empty."""
        caption, entities = self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return caption, entities

    def _new_message(self, chat: Chat, params: Mapping[str, Any]) -> JSON:
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
                message["reply_to_message"] = public(original)
            elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
                raise bad_request("message to be replied not found")
        return message

    @staticmethod
    def _decorate(message: JSON, params: Mapping[str, Any]) -> None:
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        elif markup is not None and not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        preview = params.get("link_preview_options")
        if isinstance(preview, dict):
            message["link_preview_options"] = preview

    def _store(self, chat: Chat, message: JSON) -> JSON:
        chat.messages[message["message_id"]] = message
        return public(message)

    def _existing(self, params: Mapping[str, Any], *, action: str) -> tuple[Chat, JSON]:
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request(f"message to {action} not found")
        if action == "edit" and message.get("_from_user"):
            raise bad_request("message can't be edited")
        return chat, message

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        now = time.monotonic()
        self._check_flood(chat, now, paid=params.get("allow_paid_broadcast") is True)
        text, entities = self._text(params)
        message = self._new_message(chat, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        self._decorate(message, params)
        self._count_delivery(chat, text, now)
        return self._store(chat, message)

    def _photo_sizes(self, photo: Any) -> list[JSON]:
        if isinstance(photo, str) and photo.startswith("attach://"):
            raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(photo, UploadedFile):
            if not photo.data:
                raise bad_request("file must be non-empty")
            size = len(photo.data)
        elif isinstance(photo, str) and photo:
            if not photo.startswith(("http://", "https://")) and photo not in self._known_files:
                raise bad_request("wrong file identifier/HTTP URL specified")
            size = 0
        else:
            raise bad_request("there is no photo in the request")
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
        caption, entities = self._caption(params)
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

    def _edited(self, chat: Chat, old: JSON, new: JSON) -> JSON:
        if {k: v for k, v in new.items() if k != "edit_date"} == {
            k: v for k, v in old.items() if k != "edit_date"
        }:
            raise bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        new["edit_date"] = int(time.time())
        return self._store(chat, new)

    def _edit_message_text(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        chat, old = self._existing(params, action="edit")
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(params)
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
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(params)
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


@functools.lru_cache(maxsize=256)
def _html(text: str, *, strict: bool, caption: bool) -> tuple[str, list[Entity]]:
    """Parse mode HTML, then tdlib's fixing: pure, so a fanout of one post parses it once.

    Telegram parses at its own speed; a benchmark at 300 sends a second must measure
    the bot, not this parser in Python. Callers only read the result.
    """
    visible, parsed = parse_html(text, strict=strict)
    return _fixed(visible, parsed, caption=caption)


def _fixed(text: str, entities: list[Entity], *, caption: bool) -> tuple[str, list[Entity]]:
    return fix_formatted_text(text, entities, allow_empty=caption)
