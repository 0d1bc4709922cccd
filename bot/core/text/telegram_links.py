"""Which links Telegram keeps as a text link, and the URL it reports for them.

A ``text_link`` entity whose URL Telegram does not accept is not an error: the
server silently drops the entity, and the words go out without their link. So
Nashir must ask the same question before it makes an anchor. This is tdlib's
``LinkManager::check_link`` (``td/telegram/LinkManager.cpp``) over ``parse_url``
(``tdutils/td/utils/HttpUrl.cpp``), which the Bot API server runs for every
``<a href>``:

* schemes: ``http``, ``https`` (or none, read as ``http``), and ``tg:``,
  ``ton:``, ``tonsite:``; ``ftp``, ``mailto``, ``javascript`` and the rest are
  dropped, as is a scheme preceded by a space;
* an http(s) host must contain a dot (``localhost`` is dropped, ``127.0.0.1``
  kept) or be a bracketed IPv6 address; hosts are lower-cased;
* a port must be 1-65535 (leading zeros ignored; ``:0`` and ``:`` drop the link);
* host and user info allow letters, digits, ``.-_!$,~*'();&+=``, ``%XX`` and any
  non-ASCII character; the path is kept as given, trailing spaces trimmed and
  control characters and spaces percent-encoded;
* the reported URL gains ``/`` when it has no path: ``https://example.com/``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["checked_link", "telegram_keeps_link"]

_URL_PART = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_!$,~*'();&+="
)
_HEX = frozenset("0123456789abcdefABCDEF")
# tdlib's is_space: the C string's terminating NUL counts as a space.
_TD_SPACES = " \t\r\n\0\v"


class _BadLink(ValueError):
    """A link tdlib's parse_url or check_link refuses (the entity is dropped)."""


@dataclass(frozen=True, slots=True)
class _HttpUrl:
    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    specified_port: int
    query: str

    def url(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.specified_port}" if self.specified_port > 0 else ""
        scheme = "https" if self.https else "http"
        return f"{scheme}://{userinfo}{self.host}{port}{self.query}"


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _read_till(text: str, pos: int, stops: str) -> int:
    while pos < len(text) and text[pos] not in stops:
        pos += 1
    return pos


def _canonical_int(text: str) -> int | None:
    """As in tdlib's ``to_integer_safe<int>``: only a number written the way it prints."""
    if not text or not text.isascii() or not text.isdigit() or str(int(text)) != text:
        return None
    return int(text)


def _check_part(part: str, *, allow_colon: bool) -> None:
    i = 0
    while i < len(part):
        char = part[i]
        if char in _URL_PART or (allow_colon and char == ":") or not char.isascii():
            i += 1
            continue
        if char == "%" and part[i + 1 : i + 2] in _HEX and part[i + 2 : i + 3] in _HEX:
            i += 3
            continue
        raise _BadLink(part)


def _parse_url(url: str) -> _HttpUrl:
    """As in tdlib's ``parse_url``: ``[https?://][userinfo@]host[:port][/path?query#fragment]``."""
    pos = _read_till(url, 0, ":/?#@[]")
    https = False
    if url.startswith("://", pos):
        protocol = _ascii_lower(url[:pos])
        if protocol not in {"http", "https"}:
            raise _BadLink("Unsupported URL protocol")
        https = protocol == "https"
        pos += 3
    else:
        pos = 0
    end = _read_till(url, pos, "/?#")
    authority = url[pos:end]
    port = 0
    colon = len(authority) - 1
    while colon > 0 and authority[colon] not in ":]@":
        colon -= 1
    if colon > 0 and authority[colon] == ":":
        digits = authority[colon + 1 :]
        while len(digits) > 1 and digits[0] == "0":
            digits = digits[1:]
        number = _canonical_int(digits)
        port = -1 if number is None or number == 0 else number
        authority = authority[:colon]
    if port < 0 or port > 65535:
        raise _BadLink("Wrong port number specified in the URL")
    at = authority.rfind("@")
    userinfo = authority[:at] if at >= 0 else ""
    host = authority[at + 1 :]
    is_ipv6 = False
    if host.startswith("[") and host.endswith("]") and len(host) >= 2:
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError as error:
            raise _BadLink("Wrong IPv6 address specified in the URL") from error
        is_ipv6 = True
    if not host:
        raise _BadLink("URL host is empty")
    if host == ".":
        raise _BadLink("Host is invalid")
    query = url[end:].rstrip(_TD_SPACES) or "/"
    encoded = "" if query.startswith("/") else "/"
    encoded += "".join(f"%{ord(c):02X}" if ord(c) <= 0x20 else c for c in query)
    host = _ascii_lower(host)
    if is_ipv6:
        if any(c not in ":0123456789abcdef." for c in host[1:-1]):
            raise _BadLink("Wrong IPv6 URL host")
    else:
        _check_part(host, allow_colon=False)
        _check_part(userinfo, allow_colon=True)
    return _HttpUrl(https, userinfo, host, is_ipv6, max(port, 0), encoded)


def _checked_link(link: str) -> str:
    scheme = ""
    for prefix in ("tg:", "ton:", "tonsite:"):
        if _ascii_lower(link[: len(prefix)]) == prefix:
            scheme, link = prefix[:-1], link[len(prefix) :]
            link = link.removeprefix("//")
            break
    parsed = _parse_url(link)
    if not scheme:
        if "." not in parsed.host and not parsed.is_ipv6:
            raise _BadLink("Wrong HTTP URL")
        return parsed.url()
    if (
        _ascii_lower(link[:7]) == "http://"
        or parsed.https
        or parsed.userinfo
        or parsed.specified_port
        or parsed.is_ipv6
    ):
        raise _BadLink("Wrong tg URL")
    query = parsed.query
    if query[1:2] == "?":
        query = query[1:]
    for char in parsed.host:
        allowed = char.isascii() and (char.isalnum() or char in "-_")
        if not allowed and not (scheme == "tonsite" and char == "."):
            raise _BadLink("Unallowed characters in URL host")
    return f"{scheme}://{parsed.host}{query}"


def checked_link(link: str) -> str | None:
    """The URL Telegram reports for a text link to ``link``, or None if it drops it.

    >>> checked_link("example.com")
    'http://example.com/'
    >>> checked_link("http://localhost/") is None
    True
    """
    try:
        return _checked_link(link)
    except _BadLink:
        return None


def telegram_keeps_link(link: str) -> bool:
    """Whether Telegram keeps a text link (an ``<a href>``) to ``link``."""
    return checked_link(link) is not None
