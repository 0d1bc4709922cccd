"""X's weighted tweet length, counted the way twitter-text v3 counts it.

X does not count characters. It weighs code points (Latin, Arabic, Hebrew,
Cyrillic and common punctuation weigh 1; CJK, emoji and everything else 2),
counts every URL it recognises as 23 whatever its length (t.co wraps it), and
any emoji sequence as 2 however many code points build it. A post may weigh
280. A post we think fits but X rejects is a failed delivery, so this module
reproduces the reference implementation (twitter-text, config v3) and is
tested against its conformance data.

URLs are found with twitter-text's extractor: with or without a protocol, on a
known TLD (`tlds.txt`), each host label at most 63 characters once punycoded.
One bound is ours: the regex stops looking at 127 labels of 255 characters
(far past what DNS or X accepts), which keeps the scan linear on garbage such
as a long run of "a.a.a." that would otherwise take minutes.

Emoji sequences are recognised structurally over the emoji code points listed
in `emoji_bases.txt` (generated from the `emoji` package's RGI data): tag
sequences (subdivision flags), keycaps, flag pairs, and chains of emoji joined
by ZWJ, each with an optional VS16 and skin tone. Known deviation: a ZWJ chain
that is not an RGI emoji counts 2 here, where twitter-text counts its parts;
posts are built from our own templates, which use only RGI emoji.

Patterns are compiled on first use and cached, so importing stays cheap and
repeated calls (thousands per digest) reuse them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, NamedTuple

MAX_WEIGHTED_LENGTH: Final = 280
URL_WEIGHT: Final = 23
EMOJI_WEIGHT: Final = 2

_MAX_URL_LENGTH: Final = 4096
_MAX_TCO_SLUG_LENGTH: Final = 40
_MAX_DOMAIN_LABEL_LENGTH: Final = 63
_DEFAULT_PROTOCOL: Final = "https://"

# Config v3 weighs these code points 1 (0-4351, 8192-8205, 8208-8223, 8242-8247);
# everything else, astral code points included, weighs 2.
_HEAVY_CHAR: Final = re.compile(r"[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
# What twitter-text refuses in a tweet. Bidi embeddings (U+202A-U+202E) were on this
# list once; current twitter-text accepts them, and so does X.
_INVALID_CHAR: Final = re.compile("[\ufffe\ufeff\uffff]")

# The pieces of twitter-text's URL regex, named as there.
_DIRECTIONAL_MARKERS: Final = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_INVALID_CHARS: Final = r"\ufffe\ufeff\uffff"
_SPACE_CHARS: Final = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2028\u2029\u202f\u205f\u3000"
    + "".join(map(chr, range(0x2000, 0x200B)))
)
_SPACES: Final = "".join(re.escape(ch) for ch in sorted(_SPACE_CHARS))
_PUNCT: Final = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS: Final = (
    r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    r"\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC: Final = r"\u0400-\u04ff"
_DOMAIN_CHAR: Final = f"[^{_PUNCT}{_SPACES}{_INVALID_CHARS}{_DIRECTIONAL_MARKERS}]"
_PRECEDING: Final = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID_CHARS}]|[{_DIRECTIONAL_MARKERS}]|^)"
_SUBDOMAIN: Final = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR}){{0,253}})?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME: Final = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR}){{0,253}})?{_DOMAIN_CHAR}\\.)"
_PUNYCODE: Final = r"(?:xn--[\-0-9a-z]+)"
_PATH_CHAR: Final = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS: Final = (
    f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
)
_PATH_END: Final = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_BALANCED_PARENS}))"
_PATH: Final = (
    f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
)
_QUERY_CHAR: Final = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END: Final = r"[a-z0-9\-_&=#/]"
_LABEL_SEPARATORS: Final = re.compile("[\u3002\uff0e\uff61]")
_SPACE_CHAR: Final = re.compile(f"[{_SPACES}]")

# Emoji sequence parts; the base class comes from emoji_bases.txt.
_SKIN_TONE: Final = "[\U0001f3fb-\U0001f3ff]"
_TAG_SEQUENCE: Final = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
_KEYCAP: Final = "[#*0-9]\ufe0f?\u20e3"
_FLAG: Final = "[\U0001f1e6-\U0001f1ff]{2}"
_TEXT_SYMBOL_AS_EMOJI: Final = "[\u00a9\u00ae]\ufe0f"


class UrlEntity(NamedTuple):
    """A URL as X's extractor finds it; `start`/`end` are code point offsets."""

    url: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Patterns:
    tld_start: re.Pattern[str]
    extract_url: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    tco_url: re.Pattern[str]
    emoji: re.Pattern[str]


def _read_data(name: str) -> list[str]:
    package = __name__.rpartition(".")[0]
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "["))]


@functools.cache
def _patterns() -> _Patterns:
    """Compile the URL and emoji patterns once, from the data files beside this module."""
    tlds = _read_data("tlds.txt")
    tld = f"(?:{_trie_pattern(tlds)}(?=[^0-9a-zA-Z@+-]|\\Z))"
    first_letters = "".join(sorted({name[0] for name in tlds} | {"x"}))  # x: punycode "xn--"
    domain = f"(?:{_SUBDOMAIN}{{0,126}}{_DOMAIN_NAME}(?:{tld}|{_PUNYCODE}))"
    extract_url = (
        f"({_PRECEDING})"  # 1: preceding character
        f"((https?://)?"  # 2: URL, 3: protocol
        f"({domain})"  # 4: domain
        r"(?::([0-9]+))?"  # 5: port
        f"(/{_PATH}*)?"  # 6: path
        f"(\\?{_QUERY_CHAR}*{_QUERY_END})?)"  # 7: query
    )
    ascii_domain = f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{tld}|{_PUNYCODE})"
    tco_url = f"https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY_CHAR}*{_QUERY_END})?"

    bases = "".join(_hex_range(line) for line in _read_data("emoji_bases.txt"))
    element = f"[{bases}](?!\ufe0e)\ufe0f?{_SKIN_TONE}?"
    # The lookahead names every character an emoji can start with; it lets the
    # engine skip plain text quickly (six times faster on Arabic prose).
    emoji = (
        "(?=[#*0-9\u00a9\u00ae\u203c-\U0010ffff])"
        f"(?:{_TAG_SEQUENCE}|{_KEYCAP}|{_FLAG}|{_TEXT_SYMBOL_AS_EMOJI}"
        f"|{element}(?:\u200d{element})*)"
    )
    return _Patterns(
        tld_start=re.compile(f"\\.[{re.escape(first_letters)}]", re.IGNORECASE),
        extract_url=re.compile(extract_url, re.IGNORECASE),
        ascii_domain=re.compile(ascii_domain, re.IGNORECASE),
        tco_url=re.compile(tco_url, re.IGNORECASE),
        emoji=re.compile(emoji),
    )


def _trie_pattern(words: list[str]) -> str:
    """Build a regex matching any of `words`, longest first, as a prefix trie.

    A flat alternation of 1,500 TLDs is tried one by one at every dot of every
    candidate domain; the trie decides in one pass per character. Preferring
    the longest word keeps twitter-text's choice where one TLD prefixes
    another and both may end there ("嘉里大酒店" over "嘉里").
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" in node:
            return f"(?:{group})?"
        return group

    return render(trie)


def _hex_range(line: str) -> str:
    first, _, last = line.partition("..")
    if not last:
        return re.escape(chr(int(first, 16)))
    return f"{re.escape(chr(int(first, 16)))}-{re.escape(chr(int(last, 16)))}"


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _punycoded_length(label: str) -> int:
    """Length of a host label after IDNA ToASCII, as punycode.js computes it."""
    parts = _LABEL_SEPARATORS.split(label)
    encoded = [
        part if part.isascii() else "xn--" + part.encode("punycode").decode() for part in parts
    ]
    return len(".".join(encoded))


def _is_valid_url(url: str, protocol: str, domain: str, patterns: _Patterns) -> bool:
    """Apply twitter-text's post-match checks: punycode sanity, label and URL length."""
    if domain.startswith("xn--") and not patterns.ascii_domain.search(domain):
        return False
    if domain.isascii():
        lengths = [len(label) for label in domain.split(".")]
    else:
        try:
            lengths = [_punycoded_length(label) for label in domain.split(".")]
        except UnicodeError:
            return False
    if any(not 1 <= length <= _MAX_DOMAIN_LABEL_LENGTH for length in lengths):
        return False
    return len(protocol) + _utf16_length(url) <= _MAX_URL_LENGTH


def extract_urls_with_indices(text: str) -> list[UrlEntity]:
    """Find the URLs X would link (and count as 23) in `text`, in order.

    A faithful port of twitter-text's `extractUrlsWithIndices` with URLs
    without protocol enabled, as X uses it: a bare domain counts only when it
    is ASCII ("example.com", not "مثال.com") and not glued to "-", "_", "."
    or "/"; a t.co URL stops after its slug.
    """
    patterns = _patterns()
    urls: list[UrlEntity] = []
    scanned_to = 0
    # Every URL's host has a dot followed by the first letter of a TLD, and no
    # URL contains a space. So only the space-delimited runs around such dots
    # are scanned (with the space on either side, which the regex looks at);
    # that finds what a scan of the whole text finds, without trying every
    # Arabic word of a sentence as a domain.
    for dot in patterns.tld_start.finditer(text):
        if dot.start() < scanned_to:
            continue
        start = dot.start()
        while start > scanned_to and text[start - 1] not in _SPACE_CHARS:
            start -= 1
        space = _SPACE_CHAR.search(text, dot.end())
        end = space.end() if space is not None else len(text)
        _extract_urls_in(text, max(start - 1, 0), end, patterns, urls)
        scanned_to = end
    return urls


def _extract_urls_in(
    text: str, pos: int, endpos: int, patterns: _Patterns, urls: list[UrlEntity]
) -> None:
    for match in patterns.extract_url.finditer(text, pos, endpos):
        before, url, protocol, domain, path = match.group(1, 2, 3, 4, 6)
        start, end = match.span(2)
        if not _is_valid_url(url, protocol or _DEFAULT_PROTOCOL, domain, patterns):
            continue
        if protocol:
            tco = patterns.tco_url.match(url)
            if tco is not None:
                if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group()
                end = start + len(url)
            urls.append(UrlEntity(url, start, end))
            continue
        if before and before[-1] in "-_./":
            continue
        last: UrlEntity | None = None
        for ascii_match in patterns.ascii_domain.finditer(domain):
            last = UrlEntity(
                ascii_match.group(), start + ascii_match.start(), start + ascii_match.end()
            )
            urls.append(last)
        if last is not None and path:
            urls[-1] = UrlEntity(text[last.start : end], last.start, end)


def extract_urls(text: str) -> list[str]:
    """Return just the URLs of `extract_urls_with_indices`."""
    return [entity.url for entity in extract_urls_with_indices(text)]


def _plain_weight(text: str, start: int, end: int) -> int:
    return end - start + len(_HEAVY_CHAR.findall(text, start, end))


def weighted_length(text: str) -> int:
    """Return the length X gives `text`, to compare with `MAX_WEIGHTED_LENGTH`.

    The text is NFC-normalised first, as X does, so a decomposed "é" counts once.
    Where a URL and an emoji start at the same place the URL wins, and whatever
    starts inside an entity already counted is skipped, exactly as twitter-text's
    character walk does.
    """
    text = unicodedata.normalize("NFC", text)
    entities = [(url.start, url.end, URL_WEIGHT) for url in extract_urls_with_indices(text)]
    entities += [(m.start(), m.end(), EMOJI_WEIGHT) for m in _patterns().emoji.finditer(text)]
    if not entities:
        return _plain_weight(text, 0, len(text))
    entities.sort(key=lambda entity: (entity[0], -entity[2]))
    total = 0
    position = 0
    for start, end, weight in entities:
        if start < position:
            continue
        total += _plain_weight(text, position, start) + weight
        position = end
    return total + _plain_weight(text, position, len(text))


def is_valid_tweet(text: str) -> bool:
    """Tell whether X would accept `text` as a tweet's text.

    Valid means: something other than whitespace, no character twitter-text
    forbids (U+FFFE, U+FEFF, U+FFFF), and a weighted length of at most 280.
    """
    if not text.strip():
        return False
    if _INVALID_CHAR.search(unicodedata.normalize("NFC", text)):
        return False
    return weighted_length(text) <= MAX_WEIGHTED_LENGTH
