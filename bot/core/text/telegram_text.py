"""What Telegram stores for a message: its cleaning, entity fixing and trimming.

After parsing, the Bot API server hands the text and its entities to tdlib's
``fix_formatted_text`` (``td/telegram/MessageEntity.cpp``), and the 4096/1024
limits apply to what comes out, counted in code points. So the length of a post
is not the length of its visible text. The steps, in tdlib's order:

1. entities are sorted, empty ones dropped, same-style ones that touch merged,
   bold/italic/... split around links and code, and entities nested where
   Telegram does not allow it dropped (``fix_entities``);
2. the text is cleaned (``clean_input_string``): control characters and tabs
   become spaces, carriage returns are removed, and so are U+2028..U+202E (line and
   paragraph separators and the bidi embeddings and overrides) and the
   combining marks U+030A, U+0333, U+033F; entities shrink over what goes;
3. in a run of left-to-right and right-to-left marks every mark but the last
   becomes a zero-width non-joiner (``replace_offending_characters``), so a
   right-to-left mark followed by a left-to-right one is lost;
4. trailing spaces and newlines are trimmed, and leading ones only up to the
   first entity: ``<b> x</b>`` keeps its space;
5. a text with nothing visible left is refused ("Text must be non-empty"), or
   becomes empty when it is a caption.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.text.telegram_entities import Entity, sort_key, td_type, utf16_length

__all__ = [
    "LRM",
    "RLM",
    "ZWNJ",
    "TelegramTextError",
    "clean_text",
    "fix_formatted_text",
    "is_empty_text",
    "replace_offending_characters",
]

LRM = "\u200e"
RLM = "\u200f"
ZWNJ = "\u200c"
_MARKS = frozenset({LRM, RLM})
_REMOVED = frozenset({"\u030a", "\u0333", "\u033f", *map(chr, range(0x2028, 0x202F))})
_SPLITTABLE = ("bold", "italic", "underline", "strikethrough", "spoiler")
_BLOCKQUOTE = frozenset({"blockquote", "expandable_blockquote"})
_CONTINUOUS = frozenset(
    {
        "mention",
        "hashtag",
        "bot_command",
        "url",
        "email",
        "text_link",
        "text_mention",
        "cashtag",
        "phone_number",
        "bank_card_number",
        "media_timestamp",
        "custom_emoji",
    }
)
_PRE = frozenset({"pre", "code", "pre_code", "date_time"})
_BITS: dict[str, int] = {}
# strip_empty_characters: shown as nothing, so a text of only these is empty.
_SPACE_LIKE = frozenset(
    "\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u2800\u3000\ufffc"
)
_EMPTY = frozenset(" \n\u200b\u200c\u200d\u200e\u200f\u202e\ufeff\u00a0")
_TD_SPACES = " \t\r\n\0\v"


class TelegramTextError(ValueError):
    """A text Telegram refuses after parsing, in tdlib's words ("Text must be non-empty")."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _bit(entity: Entity) -> int:
    name = td_type(entity)
    if name not in _BITS:
        _BITS[name] = 1 << len(_BITS)
    return _BITS[name]


def _mask(names: frozenset[str] | tuple[str, ...]) -> int:
    result = 0
    for name in names:
        result |= _bit(Entity(name, 0, 1, language="x" if name == "pre_code" else None))
    return result


def _kind(entity: Entity) -> str:
    name = td_type(entity)
    if name in _SPLITTABLE:
        return "splittable"
    if name in _BLOCKQUOTE:
        return "blockquote"
    return "continuous"


def _is_pre(entity: Entity) -> bool:
    return td_type(entity) in _PRE


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=sort_key)


def _remove_empty(entities: list[Entity]) -> list[Entity]:
    def empty(entity: Entity) -> bool:
        if entity.length <= 0:
            return True
        if entity.type == "text_link":
            return not entity.url
        if entity.type == "custom_emoji":
            return not entity.custom_emoji_id or entity.custom_emoji_id == "0"
        if entity.type == "date_time":
            return entity.unix_time is None or entity.unix_time <= 0
        return False

    return [entity for entity in entities if not empty(entity)]


def _are_valid(entities: list[Entity]) -> bool:
    """As in tdlib's ``are_entities_valid``: nothing to merge, split or drop."""
    splittable, blockquote = _mask(_SPLITTABLE), _mask(_BLOCKQUOTE)
    continuous = _mask(_CONTINUOUS)
    end_pos = dict.fromkeys(_SPLITTABLE, -1)
    stack: list[Entity] = []
    nested = 0
    for entity in entities:
        while stack and entity.offset >= stack[-1].end:
            nested -= _bit(stack.pop())
        bit = _bit(entity)
        if stack:
            if entity.end > stack[-1].end or nested & bit or _is_pre(stack[-1]):
                return False
            if _is_pre(entity) and nested & ~blockquote:
                return False
            kind = _kind(entity)
            if kind in {"continuous", "blockquote"} and nested & continuous:
                return False
            if kind == "blockquote" and nested & blockquote:
                return False
            if nested & splittable:
                return False
        if entity.type in end_pos and td_type(entity) in _SPLITTABLE:
            if end_pos[entity.type] >= entity.offset:
                return False
            end_pos[entity.type] = entity.end
        stack.append(entity)
        nested += bit
    return True


def _remove_intersecting(entities: list[Entity]) -> list[Entity]:
    kept: list[Entity] = []
    last_end = 0
    for entity in entities:
        if entity.offset >= last_end:
            last_end = entity.end
            kept.append(entity)
    return kept


def _remove_intersecting_blockquote(
    entities: list[Entity], blockquotes: list[Entity]
) -> list[Entity]:
    kept: list[Entity] = []
    index = 0
    for entity in entities:
        while index < len(blockquotes) and blockquotes[index].end <= entity.offset:
            index += 1
        if index < len(blockquotes):
            quote = blockquotes[index]
            if quote.end < entity.end or entity.offset < quote.offset < entity.end:
                continue
        kept.append(entity)
    return kept


def _split(entities: list[Entity], others: list[Entity]) -> list[Entity]:
    """As in tdlib's ``split_entities``: bold and the like merged, cut around the others."""
    begin = dict.fromkeys(_SPLITTABLE, 0)
    end = dict.fromkeys(_SPLITTABLE, 0)
    result: list[Entity] = []
    position = 0

    def flush(offset: int) -> None:
        for kind in _SPLITTABLE:
            if end[kind] != 0 and begin[kind] < offset:
                if end[kind] <= offset:
                    result.append(Entity(kind, begin[kind], end[kind] - begin[kind]))
                    begin[kind] = end[kind] = 0
                else:
                    result.append(Entity(kind, begin[kind], offset - begin[kind]))
                    begin[kind] = offset

    def add_entities(end_offset: int) -> None:
        nonlocal position
        while position < len(entities):
            entity = entities[position]
            if entity.offset >= end_offset:
                break
            kind = entity.type
            if entity.offset <= end[kind] and end[kind] != 0:
                end[kind] = max(end[kind], entity.end)
            else:
                flush(entity.offset)
                begin[kind], end[kind] = entity.offset, entity.end
            position += 1
        flush(end_offset)

    stack: list[Entity] = []

    def add_offset(offset: int) -> None:
        while stack and offset >= stack[-1].end:
            size = len(result)
            add_entities(stack[-1].end)
            if _is_pre(stack[-1]):
                del result[size:]
            stack.pop()
        add_entities(offset)

    for other in others:
        add_offset(other.offset)
        stack.append(other)
    add_offset(2**31 - 1)
    return _sorted(result)


def _fix_entities(entities: list[Entity]) -> list[Entity]:
    """As in tdlib's ``fix_entities``."""
    entities = _sorted(entities)
    if _are_valid(entities):
        return entities
    splittable = [e for e in entities if _kind(e) == "splittable"]
    blockquotes = [e for e in entities if _kind(e) == "blockquote"]
    continuous = _remove_intersecting([e for e in entities if _kind(e) == "continuous"])
    if blockquotes:
        blockquotes = _remove_intersecting(blockquotes)
        continuous = _remove_intersecting_blockquote(continuous, blockquotes)
        continuous = _sorted(continuous + blockquotes)
    if not splittable:
        return continuous
    split = _split(splittable, continuous)
    return _sorted(continuous + split) if continuous else split


def replace_offending_characters(text: str) -> str:
    """In each run of LRM/RLM marks, every mark but the last becomes a ZWNJ."""
    if LRM not in text and RLM not in text:
        return text
    chars = list(text)
    i = 0
    while i < len(chars):
        if chars[i] in _MARKS:
            while i + 1 < len(chars) and chars[i + 1] in _MARKS:
                chars[i] = ZWNJ
                i += 1
        i += 1
    return "".join(chars)


def _clean(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """As in tdlib's ``clean_input_string_with_entities`` over sorted entities."""
    fixed = list(entities)
    stack: list[tuple[int, int]] = []
    current = utf16 = skipped = 0
    out: list[str] = []
    for pos in range(len(text) + 1):
        while stack:
            index, before = stack[-1]
            entity = fixed[index]
            if utf16 < entity.end:
                break
            if utf16 != entity.end:
                raise TelegramTextError(
                    f"Entity beginning at UTF-16 offset {entity.offset} ends in a middle of "
                    "a UTF-16 symbol"
                )
            fixed[index] = replace(
                entity, offset=entity.offset - before, length=entity.length - (skipped - before)
            )
            stack.pop()
        while current < len(fixed) and utf16 >= fixed[current].offset:
            if utf16 != fixed[current].offset:
                raise TelegramTextError("Entity begins in a middle of a UTF-16 symbol")
            stack.append((current, skipped))
            current += 1
        if pos == len(text):
            break
        char = text[pos]
        code = ord(char)
        if char == "\r":
            utf16 += 1
            skipped += 1
        elif code <= 32 and char != "\n":
            out.append(" ")
            utf16 += 1
        elif char in _REMOVED:
            utf16 += 1
            skipped += 1
        else:
            utf16 += 2 if code > 0xFFFF else 1
            out.append(char)
    if current != len(fixed):
        raise TelegramTextError(
            f"Entity begins after the end of the text at UTF-16 offset {fixed[current].offset}"
        )
    if stack:
        entity = fixed[stack[-1][0]]
        raise TelegramTextError(
            f"Entity beginning at UTF-16 offset {entity.offset} ends after the end of the text "
            f"at UTF-16 offset {entity.end}"
        )
    return replace_offending_characters("".join(out)), fixed


def clean_text(text: str) -> str:
    """Telegram's ``clean_input_string``: the characters a message can hold."""
    return _clean(text, [])[0]


def is_empty_text(text: str) -> bool:
    """As in tdlib's ``is_empty_string``: nothing a reader would see (spaces, marks, blanks)."""
    spaced = "".join(
        " " if c in _SPACE_LIKE or 0xE0000 <= ord(c) <= 0xE007F else c for c in text
    ).strip(_TD_SPACES)
    return all(c in _EMPTY for c in spaced)


def fix_formatted_text(
    text: str, entities: list[Entity], *, allow_empty: bool = False
) -> tuple[str, list[Entity]]:
    """The text and entities Telegram stores for a message (tdlib's ``fix_formatted_text``).

    Args:
        text: The parsed text (``parse_html``'s first result, or a plain text).
        entities: Its entities, in any order.
        allow_empty: A caption may end up empty; a message text may not.

    Returns:
        The stored text and its entities in tdlib's order. Automatic entities
        (links, hashtags, mentions Telegram finds itself) are not added.

    Raises:
        TelegramTextError: "Text must be non-empty" for a text with nothing to
            show, or an entity that does not fit the text.
    """
    for entity in entities:
        if not 0 <= entity.offset <= 1_000_000:
            raise TelegramTextError(f"Receive an entity with incorrect offset {entity.offset}")
        if not 0 <= entity.length <= 1_000_000:
            raise TelegramTextError(f"Receive an entity with incorrect length {entity.length}")
    fixed = _fix_entities(_remove_empty(entities))
    result, fixed = _clean(text, fixed)
    if fixed:
        fixed = _remove_empty(fixed)
    last = len(result) - 1
    while last >= 0 and result[last] in " \n":
        last -= 1
    if last < 0:
        if allow_empty:
            return "", []
        raise TelegramTextError("Text must be non-empty")
    fixed = _fix_entities(fixed)
    last_utf16 = utf16_length(result[: last + 1]) - 1
    result = result[: last + 1]
    while fixed and fixed[-1].offset > last_utf16:
        fixed.pop()
    clipped = [
        replace(e, length=last_utf16 + 1 - e.offset) if e.end > last_utf16 + 1 else e for e in fixed
    ]
    if clipped != fixed:
        clipped = _sorted(clipped)
    first_entity = clipped[0].offset if clipped else len(result)
    lead = 0
    while lead < first_entity and lead < len(result) and result[lead] in " \n":
        lead += 1
    if lead:
        result = result[lead:]
        clipped = [replace(e, offset=e.offset - lead) for e in clipped]
    if is_empty_text(result):
        if not allow_empty:
            raise TelegramTextError("Text must be non-empty")
        return "", []
    return result, clipped
