"""Telegram's HTML parse mode: turn HTML-marked text into visible text plus entities.

Telegram does not render HTML; it parses a tiny tag set into plain text and a list
of "message entities" (bold from offset 3 for 5 units, a link, ...). A message's
length limits (4096 for text, 1024 for captions) apply to the text Telegram
stores, so formatting code needs this parser to know whether a post fits, and the
local fake Bot API needs it to refuse what Telegram would refuse.

This is tdlib's ``parse_html`` (``td/telegram/MessageEntity.cpp``), which the Bot
API server runs, ported rule for rule and tested against tdlib's own cases
(``tests/data/tdlib/``):

* tags: b, strong, i, em, u, ins, s, strike, del, a href, code, pre (with an inner
  ``code class="language-x"``), span class="tg-spoiler", tg-spoiler, blockquote
  (optionally ``expandable``), tg-emoji emoji-id, tg-time unix format; tag names
  are case-insensitive, attribute names are not (``CLASS=`` is ignored); an end
  tag must match the open tag (``</>`` closes anything);
* whitespace inside tags is space, tab, CR, LF and vertical tab, not form feed;
* an attribute may go without a value, but not without a name (``<i a"b=c>``);
* ``emoji-id`` must be a non-zero 64-bit integer written as it prints (no
  ``007``, no Arabic-Indic digits);
* only ``&lt; &gt; &amp; &quot;`` and numeric references are decoded; a reference
  to a surrogate refuses the whole text.

Two modes. Telegram's server is lenient in ways the documentation is not: a bare
``&`` or ``>`` passes through, ``&nbsp;`` stays literal, ``&lt`` needs no
semicolon and a link Telegram does not keep silently loses its entity.
``strict=True`` (the default) refuses all of these, because every one hides an
escaping bug in our own formatting (an article that mentions "&lt" would lose
characters, a dropped link goes unnoticed); it never accepts what Telegram
refuses. ``strict=False`` is exactly the server.

``parse_html`` gives tdlib's raw result; what a message stores, and so its
length, is that result after ``fix_formatted_text`` (``bot.core.text.telegram_text``):
``stored_text`` and ``visible_length`` apply both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.text.telegram_entities import Entity, sort_key, utf16_length
from bot.core.text.telegram_links import checked_link
from bot.core.text.telegram_text import TelegramTextError, fix_formatted_text

__all__ = [
    "Entity",
    "TelegramHTMLError",
    "TelegramTextError",
    "date_flags",
    "parse_html",
    "stored_text",
    "strip_message",
    "utf16_length",
    "visible_length",
]

_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space: the C string's terminating NUL counts, form feed does not.
_SPACES = " \t\r\n\v\0"
_ATTRIBUTE_STOP = _SPACES + "=>/\"'"
_SPECIAL = re.compile(r"[<&>]")
_REFERENCE = re.compile(r"&#?[A-Za-z0-9]+;")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_INTEGER = re.compile(r"-?[0-9]+")
_DATE_FLAGS = {"t": 2, "T": 4, "d": 8, "D": 16, "w": 32, "W": 32}
_SURROGATES = re.compile("[\ud800-\udfff]")


class TelegramHTMLError(ValueError):
    """Markup Telegram would refuse with "Bad Request: can't parse entities: ...".

    Attributes:
        description: The message in Telegram's wording, without the "Bad Request"
            prefix, e.g. ``Unsupported start tag "div" at byte offset 0``.
        byte_offset: UTF-8 byte offset of the offending tag, when Telegram reports one.
    """

    def __init__(self, description: str, byte_offset: int | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.byte_offset = byte_offset


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    date: int
    utf16_start: int
    chunk_start: int
    index: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _int64_id(text: str) -> int | None:
    """As in tdlib's ``to_integer_safe<int64>``: a number written exactly as it prints."""
    if not _INTEGER.fullmatch(text) or str(int(text)) != text:
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _lenient_int32(text: str) -> int:
    """As in tdlib's ``to_integer<int32>``: leading digits, the rest ignored, wrapping."""
    negative = text.startswith("-")
    digits = re.match(r"[0-9]*", text[1:] if negative else text)
    value = int(digits.group() or "0") % 2**32 if digits else 0
    if value > 2**31 - 1:
        value = (2**32 - value) % 2**32
        negative = not negative
        if value > 2**31 - 1:
            return -(2**31)
    return -value if negative else value


def date_flags(date_format: str) -> int:
    """As in tdlib's flags for a ``<tg-time format>``: r relative, t/T time, d/D date, w weekday.

    Raises:
        TelegramHTMLError: For any other letter, or "r" with others.
    """
    if date_format in {"r", "R"}:
        return 1
    flags = 0
    for letter in date_format:
        if letter not in _DATE_FLAGS:
            raise TelegramHTMLError("Invalid date format used")
        flags |= _DATE_FLAGS[letter]
    return flags


class _Parser:
    """Single pass over the markup; one instance per call, so the function stays pure."""

    def __init__(self, text: str, *, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.chunks: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def at(self, i: int) -> str:
        """The character at ``i``; NUL past the end, like tdlib's C string.

        Inside a tag a NUL character ends the text for tdlib, so it does here too.
        """
        return self.text[i] if i < len(self.text) else "\0"

    def emit(self, piece: str) -> None:
        self.chunks.append(piece)
        self.utf16 += utf16_length(piece)

    def error(self, message: str, index: int | None = None) -> TelegramHTMLError:
        if index is None:
            return TelegramHTMLError(message)
        offset = _byte_offset(self.text, index)
        return TelegramHTMLError(message.replace("{offset}", str(offset)), offset)

    def run(self) -> tuple[str, list[Entity]]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            match = _SPECIAL.search(text, i)
            if match is None:
                self.emit(text[i:])
                break
            j = match.start()
            if j > i:
                self.emit(text[i:j])
            char = text[j]
            if char == "&":
                i = self.entity(j)
            elif char == ">":
                if self.strict:
                    raise self.error(
                        'Character ">" must be escaped as "&gt;" at byte offset {offset}', j
                    )
                self.emit(">")
                i = j + 1
            elif self.at(j + 1) == "/":
                i = self.end_tag(j)
            else:
                i = self.start_tag(j)
        if self.stack:
            name = self.stack[-1].name
            raise self.error(f'Can\'t find end tag corresponding to start tag "{name}"')
        visible = "".join(self.chunks)
        if _SURROGATES.search(visible):
            raise self.error(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        entities = [
            replace(e, language=None) if e.type == "code" and e.language else e
            for e in self.entities
        ]
        return visible, sorted(entities, key=sort_key)

    def decode_entity(self, start: int) -> tuple[str, int, bool] | None:
        """Decode the reference at ``start`` like tdlib's ``decode_html_entity``.

        Returns the character, the index after the reference and whether it ended
        with a semicolon, or None when the ``&`` starts no reference Telegram knows.
        """
        end = start + 1
        if self.at(end) == "#":
            end += 1
            hexadecimal = self.at(end) == "x"
            if hexadecimal:
                end += 1
            alphabet = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
            digits_start = end
            while self.at(end) in alphabet and end < len(self.text):
                end += 1
            code = int(self.text[digits_start:end] or "0", 16 if hexadecimal else 10)
            if code == 0 or code >= 0x10FFFF or end - start >= 10:
                return None
            char = chr(code)
        else:
            while (
                end < len(self.text) and self.text[end] in _ALNUM and not self.text[end].isdigit()
            ):
                end += 1
            named = _NAMED_ENTITIES.get(self.text[start + 1 : end])
            if named is None:
                return None
            char = named
        if self.at(end) == ";":
            return char, end + 1, True
        return char, end, False

    def entity(self, start: int) -> int:
        decoded = self.decode_entity(start)
        if decoded is not None and (decoded[2] or not self.strict):
            self.emit(decoded[0])
            return decoded[1]
        if self.strict:
            reference = _REFERENCE.match(self.text, start)
            if reference is not None:
                raise self.error(
                    f'Unsupported HTML entity "{reference.group()}" at byte offset {{offset}}',
                    start,
                )
            raise self.error(
                'Character "&" must be escaped as "&amp;" at byte offset {offset}', start
            )
        self.emit("&")
        return start + 1

    def skip_spaces(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _SPACES and self.text[i] != "\0":
            i += 1
        return i

    def start_tag(self, begin: int) -> int:
        text = self.text
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != ">":
            i += 1
        if self.at(i) == "\0":
            raise self.error("Unclosed start tag at byte offset {offset}", begin)
        name = _ascii_lower(text[begin + 1 : i])
        if name not in _TAGS:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {{offset}}', begin)
        argument, date = "", 0
        while self.at(i) != ">":
            i = self.skip_spaces(i)
            if self.at(i) == ">":
                break
            attr_start = i
            while self.at(i) not in _ATTRIBUTE_STOP:
                i += 1
            attribute = text[attr_start:i]
            if not attribute:
                raise self.error(
                    f'Empty attribute name in the tag "{name}" at byte offset {{offset}}', begin
                )
            i = self.skip_spaces(i)
            if self.at(i) != "=":
                if self.at(i) == "\0":
                    raise self.error(
                        f'Unclosed start tag "{name}" at byte offset {{offset}}', begin
                    )
                if name == "blockquote" and attribute == "expandable":
                    argument = "1"
                continue
            i = self.skip_spaces(i + 1)
            if self.at(i) == "\0":
                raise self.error(f'Unclosed start tag "{name}" at byte offset {{offset}}', begin)
            value, i = self.attribute_value(i)
            if self.at(i) == "\0":
                raise self.error("Unclosed start tag at byte offset {offset}", begin)
            if name == "tg-time" and attribute == "unix":
                date = _lenient_int32(value)
            else:
                argument = _tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise self.error(
                'Tag "span" must have class "tg-spoiler" at byte offset {offset}', begin
            )
        self.stack.append(_OpenTag(name, argument, date, self.utf16, len(self.chunks), begin))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        text = self.text
        quote = text[i]
        if quote not in "'\"":
            start = i
            while self.at(i) in _ALNUM or self.at(i) in ".-":
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != ">":
                raise self.error("Unexpected end of name token at byte offset {offset}", start)
            return _ascii_lower(text[start:i]), i
        i += 1
        value: list[str] = []
        while i < len(text) and text[i] != quote and text[i] != "\0":
            if text[i] == "&":
                decoded = self.decode_entity(i)
                if decoded is not None and (decoded[2] or not self.strict):
                    value.append(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict:
                    raise self.error(
                        'Character "&" in an attribute must be escaped as "&amp;" '
                        "at byte offset {offset}",
                        i,
                    )
            value.append(text[i])
            i += 1
        if self.at(i) == quote:
            i += 1
        return "".join(value), i

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise self.error("Unexpected end tag at byte offset {offset}", begin)
        i = begin + 2
        while self.at(i) not in _SPACES and self.at(i) != ">":
            i += 1
        end_name = _ascii_lower(self.text[begin + 2 : i])
        i = self.skip_spaces(i)
        if self.at(i) != ">":
            raise self.error("Unclosed end tag at byte offset {offset}", begin)
        tag = self.stack[-1]
        if end_name and end_name != tag.name:
            raise self.error(
                f'Unmatched end tag at byte offset {{offset}}, expected "</{tag.name}>", '
                f'found "</{end_name}>"',
                begin,
            )
        if self.utf16 > tag.utf16_start:
            self.close(tag)
        self.stack.pop()
        return i + 1

    def close(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_start, self.utf16 - tag.utf16_start
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last.offset == offset and last.length == length
        if tag.name in _SIMPLE:
            self.entities.append(Entity(_SIMPLE[tag.name], offset, length))
        elif tag.name == "tg-emoji":
            number = _int64_id(tag.argument)
            if not number:
                raise TelegramHTMLError("Invalid custom emoji identifier specified")
            self.entities.append(
                Entity("custom_emoji", offset, length, custom_emoji_id=str(number))
            )
        elif tag.name == "tg-time":
            date_flags(tag.argument)
            if tag.date > 0:
                self.entities.append(
                    Entity(
                        "date_time", offset, length, unix_time=tag.date,
                        date_time_format=tag.argument,
                    )
                )  # fmt: skip
        elif tag.name == "a":
            url = tag.argument or "".join(self.chunks[tag.chunk_start :])
            checked = checked_link(url)
            if checked is None:
                if self.strict:
                    raise self.error(
                        f'Invalid URL "{url}" in the tag "a" at byte offset {{offset}}', tag.index
                    )
                return
            self.entities.append(Entity("text_link", offset, length, url=checked))
        elif tag.name == "pre":
            if same_range and last is not None and last.type == "code" and last.language:
                self.entities[-1] = Entity("pre", offset, length, language=last.language)
            else:
                self.entities.append(Entity("pre", offset, length))
        elif tag.name == "code":
            if same_range and last is not None and last.type == "pre" and tag.argument:
                self.entities[-1] = Entity("pre", offset, length, language=tag.argument)
            else:
                self.entities.append(Entity("code", offset, length, language=tag.argument or None))
        else:
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append(Entity(kind, offset, length))


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The one attribute each tag cares about; Telegram ignores all others."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    if tag == "tg-time" and attribute == "format":
        return value
    return current


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into the visible text and its entities, as tdlib does.

    Args:
        text: Message text or caption in HTML parse mode.
        strict: Also refuse what Telegram tolerates (see the module docstring);
            ``False`` accepts exactly what the Bot API server accepts.

    Returns:
        The visible text, before Telegram cleans and trims it, and its entities in
        tdlib's order, not yet merged or fixed.

    Raises:
        TelegramHTMLError: When Telegram would answer "can't parse entities".
    """
    return _Parser(text, strict=strict).run()


def strip_message(
    text: str, entities: list[Entity], *, allow_empty: bool = True
) -> tuple[str, list[Entity]]:
    """The text and entities Telegram stores for parsed ``text`` (``fix_formatted_text``).

    Raises:
        TelegramTextError: When ``allow_empty`` is False and nothing visible is left.
    """
    return fix_formatted_text(text, entities, allow_empty=allow_empty)


def stored_text(
    text: str, *, strict: bool = True, allow_empty: bool = True
) -> tuple[str, list[Entity]]:
    """What Telegram stores for HTML ``text``: parsed, cleaned, fixed and trimmed.

    Raises:
        TelegramHTMLError: When the markup is refused.
        TelegramTextError: When ``allow_empty`` is False and nothing visible is left.
    """
    visible, entities = parse_html(text, strict=strict)
    return fix_formatted_text(visible, entities, allow_empty=allow_empty)


def visible_length(text: str, *, strict: bool = True) -> int:
    """Code points Telegram counts against the 4096/1024 limits for HTML ``text``.

    That is the length of the stored text: Telegram removes some characters and
    trims trailing whitespace, but leading whitespace only up to the first entity.

    Raises:
        TelegramHTMLError: When the markup is invalid.
    """
    return len(stored_text(text, strict=strict)[0])
