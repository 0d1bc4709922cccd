"""Link hygiene: one key per story, clean links to publish, campaign tags.

One story reaches the bot by many URLs: ``http`` and ``https``, ``www.`` or
not, the mobile site's ``/mobile/article/<id>``, share links carrying
``utm_*`` and ``fbclid``, Arabic slugs percent-encoded or not. `canonical_url`
folds all of them into one key so the story is stored and posted once;
`clean_url` removes the noise but keeps the link as the site gave it, because
that is what readers should land on. Pure string work (`urllib.parse` only);
no function here raises: text that is not an http(s) URL comes back stripped.
"""

from __future__ import annotations

import contextlib
import re
from typing import Final
from urllib.parse import (
    SplitResult,
    parse_qs,
    quote,
    quote_from_bytes,
    unquote_to_bytes,
    urljoin,
    urlsplit,
    urlunsplit,
)

from bot.core.text.telegram_links import checked_link

_TRACKING_PARAMS: Final = frozenset(
    {
        "_ga", "_gl", "dclid", "fbclid", "feature", "gbraid", "gclid", "igshid", "mc_cid",
        "mc_eid", "msclkid", "ref", "ref_src", "s", "spm", "ttclid", "twclid", "wbraid", "yclid",
    }
)  # fmt: skip
_TRACKING_PREFIXES: Final = ("utm_", "at_")

# Subdomains that serve the same stories as the bare domain.
_HOST_ALIASES: Final = ("www.", "m.", "mobile.")
_MOBILE_PREFIX: Final = "/mobile"
_DEFAULT_PORTS: Final = frozenset({80, 443})

# Characters left unencoded in canonical paths and queries: RFC 3986
# unreserved (always kept by `quote`) plus the delimiters that mean the same
# encoded or not. "&", "=", "+" and "#" stay encoded in queries.
_PATH_SAFE: Final = "!$&'()*+,;=:@"
_QUERY_SAFE: Final = "!$'()*,;:@/?"
_HOST_CHARS = re.compile(r"[\w.\-]+")

# Redirect wrappers: (host pattern, path or None for any, parameters holding
# the target). A well-known list only: guessing at every "?url=" would
# unwrap links that are not redirects.
_GOOGLE = re.compile(r"(?:www\.)?google(?:\.[a-z]{2,3}){1,2}")
_WRAPPERS: Final[tuple[tuple[re.Pattern[str], str | None, tuple[str, ...]], ...]] = (
    (_GOOGLE, "/url", ("q", "url")),
    (re.compile(r"(?:l|lm|m|www)\.facebook\.com|facebook\.com"), "/l.php", ("u",)),
    (re.compile(r"l\.messenger\.com"), "/l.php", ("u",)),
    (re.compile(r"l\.instagram\.com"), "/", ("u",)),
    (re.compile(r"(?:www\.|mobile\.)?(?:twitter|x)\.com"), "/i/redirect", ("url",)),
    (re.compile(r"out\.reddit\.com"), None, ("url",)),
    (re.compile(r"t\.umblr\.com"), "/redirect", ("z",)),
    (re.compile(r"(?:www\.|m\.)?youtube\.com"), "/redirect", ("q",)),
    (re.compile(r"(?:www\.)?linkedin\.com"), "/redir/redirect", ("url",)),
    (re.compile(r"slack-redirect\.slack\.com"), "/", ("url",)),
    (re.compile(r"(?:away\.)?vk\.com"), "/away.php", ("to",)),
)
_MAX_UNWRAP: Final = 5


def canonical_url(url: str) -> str:
    """The key under which every URL of one story is stored.

    Not a link to publish (it may not even load: the scheme is forced to
    https and the mobile path is folded). Two URLs with the same key are the
    same story; applying it twice changes nothing.

    Args:
        url: Any URL of a story, as found in a feed, a page or a message.

    Returns:
        ``https://host/path?sorted-query`` of the link inside any known
        redirect wrapper, with host aliases, tracking parameters, the fragment
        and encoding differences removed; the stripped input when it is not
        an http(s) URL.
    """
    text = url.strip()
    try:
        # Folding aliases can turn a link into a wrapper ("www.www.google.com",
        # "/url/"), so repeat until the key is not one: a key must be stable.
        for _ in range(_MAX_UNWRAP):
            text, parts = _unwrapped(text)
            key = _canonical_key(parts) if parts else None
            if key is None:
                return text
            key_parts = _split_http(key)
            if key_parts is None or _unwrap(key_parts) is None:
                return key
            text = key
    except ValueError:
        return url.strip()
    return text


def clean_url(url: str) -> str:
    """The link to publish: redirect wrappers unwrapped, tracking removed.

    Host, path, scheme and fragment stay as the site gave them, since that is
    the page readers should reach; only tracking parameters go (also from a
    ``#key=value`` fragment, where some share buttons put them).

    Args:
        url: A link as found, possibly a Google, Facebook or X redirect.

    Returns:
        The cleaned link; the stripped input when it is not an http(s) URL.
    """
    text = url.strip()
    try:
        text, parts = _unwrapped(text)
        if parts is None:
            return text
        fragment = parts.fragment if parts.fragment.strip() else ""
        fragment = _drop_tracking(fragment) if "=" in fragment else fragment
        cleaned = urlunsplit(parts._replace(query=_drop_tracking(parts.query), fragment=fragment))
        return as_uri(cleaned.strip())
    except ValueError:
        return text


def as_uri(url: str) -> str:
    """The URL with non-ASCII characters percent-encoded and the host in punycode.

    Telegram takes Arabic in a link as it is, but X's link detection stops
    at the first Arabic letter of a path, so a link published with raw
    Arabic would be cut on X; a URI is read whole everywhere.
    """
    parts = _split_http(url)
    if parts is None or url.isascii():
        return url
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        ascii_host = host
    netloc = parts.netloc.replace(host, ascii_host, 1) if host else parts.netloc
    return urlunsplit(
        parts._replace(
            netloc=netloc,
            path=quote(parts.path, safe=_URI_SAFE),
            query=quote(parts.query, safe=_URI_SAFE),
            fragment=quote(parts.fragment, safe=_URI_SAFE),
        )
    )


_URI_SAFE: Final = "/:@!$&'()*+,;=?%~-._"


def tag_url(
    url: str, *, source: str | None, medium: str = "social", campaign: str | None = None
) -> str:
    """Add campaign parameters so the site's analytics can credit the post.

    Existing ``utm_*`` parameters are replaced, not added to: two sources in
    one link would split the credit.

    Args:
        url: The link being published (normally already `clean_url`-ed).
        source: ``utm_source`` ("telegram", "x"); None turns tagging off and
            returns `url` unchanged.
        medium: ``utm_medium``.
        campaign: ``utm_campaign``, left out when None.
    """
    if source is None:
        return url
    text = url.strip()
    try:
        parts = _split_http(text)
        if parts is None:
            return text
        kept = [f for f in parts.query.split("&") if f and not _field_key(f).startswith("utm_")]
        tags = [("utm_source", source), ("utm_medium", medium)]
        if campaign is not None:
            tags.append(("utm_campaign", campaign))
        kept += [f"{key}={quote(value, safe='')}" for key, value in tags]
        return urlunsplit(parts._replace(query="&".join(kept)))
    except ValueError:
        return text


def absolute_url(base: str, href: str) -> str:
    """Resolve `href` as found on the page at `base` (relative, ``//host``, absolute)."""
    try:
        return urljoin(base.strip(), href.strip())
    except ValueError:
        return href.strip()


def host_of(url: str) -> str:
    """The site a URL belongs to, for display and same-site checks.

    Lowercased, without a trailing dot or a leading ``www.``, since
    ``www.example-news.net`` and ``example-news.net`` are one site to a
    reader; empty when there is no host.
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    return host.removeprefix("www.") if host.count(".") > 1 else host


def telegram_keeps_link(url: str) -> bool:
    """Whether Telegram keeps `url` as a text link; otherwise it silently drops the link.

    tdlib's own check (see `bot.core.text.telegram_links`): http(s) or no scheme,
    a host with a dot (no ``localhost``), a port from 1 to 65535, no leading space.
    """
    return checked_link(url) is not None


def _canonical_key(parts: SplitResult) -> str | None:
    """`canonical_url` of a URL that is not a redirect wrapper; None for a bad host."""
    host = _canonical_host(parts.hostname)
    if host is None:
        return None
    port = parts.port
    netloc = host if port is None or port in _DEFAULT_PORTS else f"{host}:{port}"
    path, query = _canonical_path(parts.path), _canonical_query(parts.query)
    return urlunsplit(("https", netloc, path, query, ""))


def _split_http(text: str) -> SplitResult | None:
    """Split `text` if it is an absolute http(s) URL with a valid host and port."""
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    _ = parts.port  # raises ValueError for a port that is not a number in range
    return parts


def _canonical_host(hostname: str | None) -> str | None:
    """Lowercase ASCII host without aliases, or None when it is not a host."""
    if not hostname:
        return None
    if ":" in hostname:  # IPv6 literal, already lowercased by urlsplit
        return f"[{hostname}]"
    host = hostname.rstrip(".")
    if not _HOST_CHARS.fullmatch(host):
        return None
    # A host IDNA cannot encode (empty or overlong label) is still a usable key.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    stripped = True
    while stripped:
        stripped = False
        for alias in _HOST_ALIASES:
            rest = host.removeprefix(alias)
            if rest != host and "." in rest:
                host, stripped = rest, True
    return host


def _canonical_path(path: str) -> str:
    """Path with uniform encoding, no dot segments, mobile prefix or trailing slash."""
    path = "/".join(quote_from_bytes(unquote_to_bytes(s), safe=_PATH_SAFE) for s in path.split("/"))
    path = _remove_dot_segments(path)
    while path.lower() == _MOBILE_PREFIX or path.lower().startswith(_MOBILE_PREFIX + "/"):
        path = path[len(_MOBILE_PREFIX) :] or "/"
    path = path.rstrip("/")
    return path if path.startswith("/") else "/" + path


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on an absolute path: ``/a/./b/../c`` -> ``/a/c``."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        elif segment == ".":
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _canonical_query(query: str) -> str:
    """Query without tracking parameters, uniformly encoded and sorted."""
    fields: list[tuple[str, str, str]] = []
    for field in query.split("&"):
        if not field:
            continue
        raw_key, sep, raw_value = field.partition("=")
        key = unquote_to_bytes(raw_key.replace("+", " "))
        if _is_tracking(key.decode("utf-8", "replace")):
            continue
        value = unquote_to_bytes(raw_value.replace("+", " "))
        fields.append(
            (
                quote_from_bytes(key, safe=_QUERY_SAFE),
                sep,
                quote_from_bytes(value, safe=_QUERY_SAFE),
            )
        )
    return "&".join(key + sep + value for key, sep, value in sorted(fields))


def _drop_tracking(query: str) -> str:
    """Query without tracking parameters, the others kept exactly as written."""
    return "&".join(f for f in query.split("&") if f.strip() and not _is_tracking(_field_key(f)))


def _field_key(field: str) -> str:
    """The decoded, lowercased key of one ``key=value`` query field."""
    raw = field.partition("=")[0].replace("+", " ")
    return unquote_to_bytes(raw).decode("utf-8", "replace").lower()


def _is_tracking(key: str) -> bool:
    """Whether a query key only tells analytics where the click came from."""
    key = key.lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def _unwrapped(text: str) -> tuple[str, SplitResult | None]:
    """Follow known redirect wrappers (a wrapper may wrap another) to the real link."""
    parts = _split_http(text)
    for _ in range(_MAX_UNWRAP):
        inner = _unwrap(parts) if parts else None
        if inner is None:
            break
        text, parts = inner, _split_http(inner)
    return text, parts


def _unwrap(parts: SplitResult) -> str | None:
    """The target of a known redirect wrapper, or None when `parts` is not one."""
    host = (parts.hostname or "").rstrip(".")
    for pattern, path, params in _WRAPPERS:
        if not pattern.fullmatch(host) or (path is not None and (parts.path or "/") != path):
            continue
        values = parse_qs(parts.query)
        for param in params:
            for target in values.get(param, []):
                target = target.strip()
                if _split_http(target) is not None:
                    return target
    return None
