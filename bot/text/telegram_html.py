"""Telegram's HTML parse mode: turn HTML-marked text into visible text plus entities.

Telegram does not render HTML; it parses a tiny tag set into plain text and a list
of "message entities" (bold from offset 3 for 5 units, a link, ...). A message's
length limits (4096 for text, 1024 for captions) apply to that visible text, so
formatting code needs this parser to know whether a post fits, and the local fake
Bot API needs it to reject what Telegram would reject.

The rules follow https://core.telegram.org/bots/api#html-style and the parser in
tdlib (``do_parse_html``) that the Bot API server runs:

* tags: b, strong, i, em, u, ins, s, strike, del, a href, code, pre (with an inner
  ``code class="language-x"``), span class="tg-spoiler", tg-spoiler, blockquote
  (optionally ``expandable``), tg-emoji emoji-id; tag names are case-insensitive,
  end tags must match the open tag exactly (``</>`` closes anything);
* unknown attributes are ignored; unknown tags are errors;
* only ``&lt; &gt; &amp; &quot;`` and numeric references are entities;
* entity offsets and lengths count UTF-16 code units (an emoji outside the BMP
  counts 2), as the Bot API reports them.

Two modes. Telegram's server is lenient in ways the documentation is not: a bare
``&`` or ``>`` passes through, ``&nbsp;`` stays literal and a bad link silently
loses its entity. ``strict=True`` (the default) enforces the documented rules
instead, because every one of those leniencies hides an escaping bug in our own
formatting (an article that mentions "&lt" would lose characters). ``strict=False``
mimics the server exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "Entity",
    "TelegramHTMLError",
    "parse_html",
    "strip_message",
    "utf16_length",
    "visible_length",
]

_TAG_TYPES: dict[str, str] = {
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
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Entity types Telegram merges when they touch or overlap (tdlib "splittable" types).
_MERGEABLE = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
_SPACES = " \t\r\n\v\f"
# Telegram trims these from both ends of a message before storing it.
_TRIMMED = " \t\r\n\v\f"
_SPECIAL = re.compile(r"[<&>]")
_REFERENCE = re.compile(r"&#?[A-Za-z0-9]+;")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
_LINK_SCHEMES = frozenset({"http", "https", "ftp", "tg", "ton", "tonsite"})


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


@dataclass(frozen=True, slots=True)
class Entity:
    """One Bot API MessageEntity; offset and length are in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

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
        return data


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    chunk_start: int
    index: int


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


class _Parser:
    """Single pass over the markup; one instance per call, so the function stays pure."""

    def __init__(self, text: str, *, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.chunks: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

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
            elif j + 1 < n and text[j + 1] == "/":
                i = self.end_tag(j)
            else:
                i = self.start_tag(j)
        if self.stack:
            name = self.stack[-1].name
            raise self.error(f'Can\'t find end tag corresponding to start tag "{name}"')
        return "".join(self.chunks), _normalise(self.entities)

    def decode_entity(self, start: int) -> tuple[str, int] | None:
        """Decode the reference at ``start`` like tdlib's ``decode_html_entity``.

        Returns the character and the index after the reference, or None when the
        ``&`` does not start a reference Telegram understands.
        """
        text, n = self.text, len(self.text)
        end = start + 1
        if end < n and text[end] == "#":
            end += 1
            hexadecimal = end < n and text[end] == "x"
            if hexadecimal:
                end += 1
            digits_start = end
            alphabet = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
            while end < n and text[end] in alphabet:
                end += 1
            digits = text[digits_start:end]
            if not digits or end - start >= 10:
                return None
            code = int(digits, 16 if hexadecimal else 10)
            if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                return None
            char = chr(code)
        else:
            while end < n and text[end].isascii() and text[end].isalpha():
                end += 1
            named = _NAMED_ENTITIES.get(text[start + 1 : end])
            if named is None:
                return None
            char = named
        if end < n and text[end] == ";":
            return char, end + 1
        if self.strict:
            return None
        return char, end

    def entity(self, start: int) -> int:
        decoded = self.decode_entity(start)
        if decoded is not None:
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
        while i < len(self.text) and self.text[i] in _SPACES:
            i += 1
        return i

    def start_tag(self, begin: int) -> int:
        text, n = self.text, len(self.text)
        i = begin + 1
        while i < n and text[i] not in _SPACES and text[i] != ">":
            i += 1
        if i >= n:
            raise self.error("Unclosed start tag at byte offset {offset}", begin)
        name = text[begin + 1 : i].lower()
        if name not in _TAG_TYPES:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {{offset}}', begin)
        argument = ""
        while True:
            i = self.skip_spaces(i)
            if i >= n:
                raise self.error(f'Unclosed start tag "{name}" at byte offset {{offset}}', begin)
            if text[i] == ">":
                break
            attr_start = i
            while i < n and text[i] not in _SPACES and text[i] not in "=>":
                i += 1
            attribute = text[attr_start:i].lower()
            i = self.skip_spaces(i)
            if i >= n or text[i] != "=":
                if name == "blockquote" and attribute == "expandable":
                    argument = "1"
                    continue
                raise self.error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {{offset}}',
                    begin,
                )
            i = self.skip_spaces(i + 1)
            if i >= n:
                raise self.error(f'Unclosed start tag "{name}" at byte offset {{offset}}', begin)
            value, i = self.attribute_value(i, begin)
            argument = _tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise self.error(
                'Tag "span" must have class "tg-spoiler" at byte offset {offset}', begin
            )
        if name == "tg-spoiler":
            argument = "spoiler"
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.chunks), begin))
        return i + 1

    def attribute_value(self, i: int, tag_begin: int) -> tuple[str, int]:
        text, n = self.text, len(self.text)
        quote = text[i]
        if quote not in "'\"":
            token = _NAME_TOKEN.match(text, i)
            end = token.end() if token else i
            if end >= n or (text[end] not in _SPACES and text[end] != ">"):
                raise self.error("Unexpected end of name token at byte offset {offset}", i)
            return text[i:end].lower(), end
        i += 1
        value: list[str] = []
        while i < n and text[i] != quote:
            if text[i] == "&":
                decoded = self.decode_entity(i)
                if decoded is not None:
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
        if i >= n:
            raise self.error("Unclosed start tag at byte offset {offset}", tag_begin)
        return "".join(value), i + 1

    def end_tag(self, begin: int) -> int:
        text, n = self.text, len(self.text)
        if not self.stack:
            raise self.error("Unexpected end tag at byte offset {offset}", begin)
        i = begin + 2
        while i < n and text[i] not in _SPACES and text[i] != ">":
            i += 1
        end_name = text[begin + 2 : i]
        i = self.skip_spaces(i)
        if i >= n or text[i] != ">":
            raise self.error("Unclosed end tag at byte offset {offset}", begin)
        tag = self.stack[-1]
        if end_name and end_name != tag.name:
            raise self.error(
                f'Unmatched end tag at byte offset {{offset}}, expected "</{tag.name}>", '
                f'found "</{end_name}>"',
                begin,
            )
        self.stack.pop()
        if self.utf16 > tag.utf16_start:
            self.close(tag, begin)
        return i + 1

    def close(self, tag: _OpenTag, begin: int) -> None:
        offset, length = tag.utf16_start, self.utf16 - tag.utf16_start
        kind = _TAG_TYPES[tag.name]
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last.offset == offset and last.length == length
        if kind == "text_link":
            url = tag.argument or "".join(self.chunks[tag.chunk_start :])
            checked = _check_link(url)
            if checked is None:
                if self.strict:
                    raise self.error(
                        f'Invalid URL "{url}" in the tag "a" at byte offset {{offset}}', tag.index
                    )
                return
            self.entities.append(Entity("text_link", offset, length, url=checked))
        elif kind == "pre":
            if same_range and last is not None and last.type == "code" and last.language:
                self.entities[-1] = Entity("pre", offset, length, language=last.language)
            elif same_range and last is not None and last.type == "code":
                self.entities[-1] = Entity("pre", offset, length)
            else:
                self.entities.append(Entity("pre", offset, length))
        elif kind == "code":
            if same_range and last is not None and last.type == "pre":
                if tag.argument:
                    self.entities[-1] = Entity("pre", offset, length, language=tag.argument)
                return
            self.entities.append(Entity("code", offset, length, language=tag.argument or None))
        elif kind == "custom_emoji":
            if not tag.argument.isdigit() or int(tag.argument) >= 2**63:
                raise TelegramHTMLError(
                    "Invalid custom emoji identifier specified", _byte_offset(self.text, begin)
                )
            self.entities.append(
                Entity("custom_emoji", offset, length, custom_emoji_id=tag.argument)
            )
        elif kind == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append(Entity(kind, offset, length))
        else:
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
    return current


def _check_link(url: str) -> str | None:
    """Validate and normalise a link the way the Bot API reports ``text_link`` URLs.

    Telegram prepends ``http://`` to scheme-less links and adds ``/`` to a bare host,
    so ``https://example.com`` comes back as ``https://example.com/``.
    """
    url = url.strip()
    if not url or any(ch in url for ch in " \t\r\n"):
        return None
    if "://" not in url:
        if url.split(":", 1)[0].lower() in {"javascript", "mailto", "data", "file"}:
            return None
        url = "http://" + url
    scheme, rest = url.split("://", 1)
    scheme = scheme.lower()
    if scheme not in _LINK_SCHEMES or not rest:
        return None
    url = f"{scheme}://{rest}"
    if scheme in {"tg", "ton", "tonsite"}:
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if not host or (host != "localhost" and "." not in host):
        return None
    if not parts.path:
        url = urlunsplit(parts._replace(path="/"))
    return url


def _normalise(entities: list[Entity]) -> list[Entity]:
    """Sort, merge touching same-style entities and drop those inside code or pre.

    Telegram applies the same clean-up (tdlib ``fix_entities``) before storing a
    message, so this is what the Bot API echoes back.
    """
    ordered = sorted(entities, key=lambda e: (e.offset, -e.length))
    verbatim = [e for e in ordered if e.type in {"code", "pre"}]
    kept = [
        e
        for e in ordered
        if e.type in {"code", "pre"}
        or not any(v.offset <= e.offset and e.end <= v.end for v in verbatim)
    ]
    merged: list[Entity] = []
    open_by_type: dict[str, int] = {}
    for entity in kept:
        index = open_by_type.get(entity.type)
        if entity.type in _MERGEABLE and index is not None:
            previous = merged[index]
            if entity.offset <= previous.end:
                end = max(previous.end, entity.end)
                merged[index] = Entity(entity.type, previous.offset, end - previous.offset)
                continue
        open_by_type[entity.type] = len(merged)
        merged.append(entity)
    return sorted(merged, key=lambda e: (e.offset, -e.length))


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into the visible text and its entities.

    Args:
        text: Message text or caption in HTML parse mode.
        strict: Enforce the documented escaping rules (see the module docstring);
            ``False`` accepts exactly what the Bot API server accepts.

    Returns:
        The visible text (untrimmed) and its entities sorted by offset.

    Raises:
        TelegramHTMLError: When Telegram would answer "can't parse entities".
    """
    return _Parser(text, strict=strict).run()


def strip_message(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace as Telegram does when it stores a message.

    Entities are shifted and clipped to the trimmed text; empty ones disappear.
    """
    stripped = text.strip(_TRIMMED)
    if stripped == text:
        return text, entities
    lead = utf16_length(text[: len(text) - len(text.lstrip(_TRIMMED))])
    size = utf16_length(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity.offset - lead, 0)
        end = min(entity.end - lead, size)
        if end > start:
            result.append(
                Entity(
                    entity.type,
                    start,
                    end - start,
                    entity.url,
                    entity.language,
                    entity.custom_emoji_id,
                )
            )
    return stripped, result


def visible_length(text: str, *, strict: bool = True) -> int:
    """Code points Telegram counts against the 4096/1024 limits for HTML ``text``.

    That is the parsed text after Telegram trims surrounding whitespace.

    Raises:
        TelegramHTMLError: When the markup is invalid.
    """
    visible, _ = parse_html(text, strict=strict)
    return len(visible.strip(_TRIMMED))
