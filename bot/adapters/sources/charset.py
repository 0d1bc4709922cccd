"""Turn a downloaded body into text, getting Arabic legacy encodings right.

Arabic news sites still serve windows-1256, often mislabelled: as
``iso-8859-6`` or ``arabic`` (a different code page that shares only part of
the letters), or with no charset at all. Decoding with the wrong one gives
readable-looking nonsense that would be published as is, so this module
follows the browser order (BOM, HTTP header, ``<meta>``, XML declaration,
detection) and adds two corrections browsers do not need to make:

* A body labelled with a single-byte encoding that is valid UTF-8 with
  multi-byte sequences is UTF-8: servers add a default ``charset=iso-8859-1``
  to pages written in UTF-8, while legacy text almost never happens to be
  valid UTF-8.
* A body labelled ISO-8859-6 is read as windows-1256 when that reading is
  cleaner (see `_likelier_arabic`); a body with no usable label whose
  Arabic reading is Arabic script is taken as such before the detector is
  asked, because short headlines fool the detector.

Decoding never raises: undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Final

from charset_normalizer import from_bytes

_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels read as the Encoding Standard reads them, where Python's own aliases
# differ: latin-1 and ascii mean windows-1252 on the web.
_WINDOWS_1252_LABELS: Final = frozenset(
    {
        "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819",
        "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1",
        "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
    }
)  # fmt: skip
_ISO_8859_6_LABELS: Final = frozenset(
    {
        "arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic",
        "ecma-114", "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127",
        "iso8859-6", "iso88596", "iso_8859-6", "iso_8859-6:1987",
    }
)  # fmt: skip
_WINDOWS_1256_LABELS: Final = frozenset({"cp1256", "windows-1256", "x-cp1256"})
_ISO_8859_6: Final = "iso8859-6"
_WINDOWS_1256: Final = "cp1256"
_UTF8: Final = "utf-8"

# Codecs Python knows that are not character encodings of a document, or are
# refused by browsers because they smuggle markup (utf-7).
_REFUSED_CODECS: Final = frozenset(
    {"idna", "punycode", "raw-unicode-escape", "undefined", "unicode-escape", "utf-7"}
)

_PRESCAN_BYTES: Final = 4096
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_META = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(
    rb"^\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)", re.IGNORECASE
)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?\s*([^\s;\"',]+)", re.IGNORECASE)

# Share of non-ASCII characters that must be Arabic letters before a body without
# a usable label is read as windows-1256 against the detector's opinion.
# Windows-1256 puts accented Latin letters between the Arabic ones, so Arabic
# text reads as nearly 100% Arabic while other languages fall well short.
_ARABIC_SHARE: Final = 0.9
_SAMPLE_BYTES: Final = 64 * 1024


def decode_body(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode `content` and name the encoding used.

    Args:
        content: The body as received (after content decompression).
        content_type: The ``Content-Type`` header, if any; its ``charset``
            parameter is the second thing consulted, after a BOM.

    Returns:
        The text and the Python codec name that produced it (``"utf-8"``,
        ``"cp1256"``, ``"iso8859-6"`` ...), which can be passed back to
        `bytes.decode`.
    """
    if not content:
        return "", _UTF8
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace"), encoding
    declared = _header_charset(content_type)
    if declared is None:
        declared = _document_charset(content)
    if declared is not None:
        return _decode_declared(content, declared)
    return _decode_detected(content)


def _header_charset(content_type: str | None) -> str | None:
    """The codec named by a ``Content-Type`` header, if it names a usable one."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return _codec_for_label(match.group(1)) if match else None


def _document_charset(content: bytes) -> str | None:
    """The codec named by ``<meta>`` or the XML declaration near the top."""
    head = _COMMENT.sub(b"", content[:_PRESCAN_BYTES])
    for pattern in (_META, _XML_DECLARATION):
        match = pattern.search(head)
        if match is None:
            continue
        codec = _codec_for_label(match.group(1).decode("ascii"))
        if codec is not None:
            # A document that could be scanned as ASCII is not UTF-16,
            # whatever it says; browsers read it as UTF-8.
            return _UTF8 if codec.startswith("utf-16") else codec
    return None


def _codec_for_label(label: str) -> str | None:
    """Map a charset label to a Python codec name, or None if unusable."""
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    if label in _ISO_8859_6_LABELS:
        return _ISO_8859_6
    if label in _WINDOWS_1256_LABELS:
        return _WINDOWS_1256
    if not label.isascii():
        return None
    try:
        name = codecs.lookup(label).name
        b"?".decode(name, errors="replace")  # LookupError for bytes codecs such as base64
    except LookupError:
        return None
    return None if name.replace("_", "-") in _REFUSED_CODECS else name


def _decode_declared(content: bytes, codec: str) -> tuple[str, str]:
    """Decode with the declared codec, correcting the usual mislabels."""
    if codec != _UTF8 and _is_single_byte(codec) and _is_multibyte_utf8(content):
        return content.decode(_UTF8), _UTF8
    if codec == _ISO_8859_6:
        chosen = _likelier_arabic(content, prefer=_ISO_8859_6)
        return content.decode(chosen, errors="replace"), chosen
    return content.decode(codec, errors="replace"), codec


def _decode_detected(content: bytes) -> tuple[str, str]:
    """Decode a body that names no encoding: UTF-8, Arabic, then detection."""
    try:
        return content.decode(_UTF8), _UTF8
    except UnicodeDecodeError:
        pass
    arabic = _likelier_arabic(content, prefer=_WINDOWS_1256)
    if _arabic_share(content[:_SAMPLE_BYTES].decode(arabic, errors="replace")) >= _ARABIC_SHARE:
        return content.decode(arabic, errors="replace"), arabic
    best = from_bytes(content).best()
    if best is None:
        return content.decode(_WINDOWS_1256), _WINDOWS_1256
    codec = codecs.lookup(best.encoding).name
    return content.decode(codec, errors="replace"), codec


def _likelier_arabic(content: bytes, *, prefer: str) -> str:
    """Pick windows-1256 or ISO-8859-6, whichever reads with less noise.

    The two agree on the first 22 letters only; reading one as the other
    turns common letters (ي, ى) into vowel marks, others into accented Latin
    letters or undefined bytes. Real text has few of all three, so the
    reading with fewer is the right one; a tie keeps `prefer`.
    """
    sample = content[:_SAMPLE_BYTES]
    other = _WINDOWS_1256 if prefer == _ISO_8859_6 else _ISO_8859_6
    noise = {codec: _noise(sample.decode(codec, errors="replace")) for codec in (prefer, other)}
    return other if noise[other] < noise[prefer] else prefer


def _noise(text: str) -> int:
    """Characters that a wrong Arabic code page produces and real text rarely has."""
    return sum(
        1
        for ch in text
        if ch == "\ufffd" or "\u00c0" <= ch <= "\u00ff" or unicodedata.category(ch) == "Mn"
    )


def _arabic_share(text: str) -> float:
    """Share of non-ASCII characters in `text` that are Arabic letters.

    Vowel marks, undefined bytes and accented Latin letters count against:
    they are what other languages read through an Arabic code page become.
    """
    others = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    if not others:
        return 0.0
    arabic = sum(1 for ch in others if "\u0600" <= ch <= "\u06ff" and ch.isalpha())
    return arabic / len(others)


def _is_single_byte(codec: str) -> bool:
    """Whether every byte is one character in `codec` (legacy code pages)."""
    try:
        return len(bytes(range(0x80, 0x100)).decode(codec, errors="replace")) == 0x80
    except LookupError:
        return False


def _is_multibyte_utf8(content: bytes) -> bool:
    """Whether `content` is valid UTF-8 and not plain ASCII."""
    if content.isascii():
        return False
    try:
        content.decode(_UTF8)
    except UnicodeDecodeError:
        return False
    return True
