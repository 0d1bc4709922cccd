"""Message entities: the ones a client sends and the ones Telegram finds by itself.

Telegram marks commands, links, mentions and hashtags in every message, sent by a
bot or typed by a user; handlers that read ``message.entities`` (a ``/start``
command, for one) only work if the fake adds them too.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.text.telegram_html import Entity, utf16_length
from sandbox.bot_api.models import JSON
from sandbox.bot_api.wire import bad_request

__all__ = ["auto_entities", "entities_from_api"]

_WORD = r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u200c]"
_AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]»'،]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w)")),
    ("hashtag", re.compile(rf"(?<![\w#])#(?={_WORD}*[^\W\d_]){_WORD}+")),
)


def auto_entities(text: str, explicit: list[JSON]) -> list[JSON]:
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


def entities_from_api(raw: Any) -> list[Entity]:
    """Read an ``entities`` parameter, refusing malformed ones with Telegram's words."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    entities = []
    for item in raw:
        if not isinstance(item, dict) or not {"type", "offset", "length"} <= item.keys():
            raise bad_request('can\'t parse MessageEntity: field "type" must be of type String')
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
