"""Bot API message entities and the order Telegram keeps them in.

Entity offsets and lengths count UTF-16 code units (an emoji outside the BMP
counts 2), as the Bot API reports them. tdlib sorts entities by offset, then the
longer first, then by a fixed type priority (``MessageEntity::get_type_priority``
in ``td/telegram/MessageEntity.cpp``): a blockquote before a pre before a code
before a link before bold, italic, underline, strikethrough, spoiler and custom
emoji. The fake Bot API and the conformance tests compare lists in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Entity", "sort_key", "td_type", "utf16_length"]

# tdlib's type priorities, by Bot API type name ("pre_code" is a pre with a language).
_PRIORITY: dict[str, int] = {
    "mention": 50,
    "hashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "bold": 90,
    "italic": 91,
    "code": 20,
    "pre": 11,
    "pre_code": 10,
    "text_link": 49,
    "text_mention": 49,
    "cashtag": 50,
    "phone_number": 50,
    "underline": 92,
    "strikethrough": 93,
    "blockquote": 0,
    "bank_card_number": 50,
    "media_timestamp": 50,
    "spoiler": 94,
    "custom_emoji": 99,
    "expandable_blockquote": 0,
    "date_time": 30,
}


@dataclass(frozen=True, slots=True)
class Entity:
    """One Bot API MessageEntity; offset and length are in UTF-16 code units.

    ``date_time`` is tdlib's formatted date (the ``<tg-time>`` tag): ``unix_time``
    and the ``date_time_format`` letters it was given.
    """

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    unix_time: int | None = None
    date_time_format: str | None = None

    @property
    def end(self) -> int:
        """Offset just past the entity, in UTF-16 code units."""
        return self.offset + self.length

    def to_api(self) -> dict[str, Any]:
        """The entity as the Bot API serialises it (optional fields only when set)."""
        data: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            data["url"] = self.url
        if self.language is not None:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        if self.unix_time is not None:
            data["unix_time"] = self.unix_time
        if self.date_time_format is not None:
            data["date_time_format"] = self.date_time_format
        return data


def td_type(entity: Entity) -> str:
    """As in tdlib's type name for ``entity``: a pre with a language is its own type."""
    if entity.type == "pre" and entity.language:
        return "pre_code"
    return entity.type


def sort_key(entity: Entity) -> tuple[int, int, int]:
    """As in tdlib's entity order: offset, longer first, then type priority."""
    return entity.offset, -entity.length, _PRIORITY.get(td_type(entity), 50)


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
