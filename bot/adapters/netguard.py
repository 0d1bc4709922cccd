"""Refuse URLs that would make the bot fetch from its own network.

Admins and feeds hand the bot URLs; without this guard a feed item or a
redirect could point it at ``http://169.254.169.254/`` (cloud metadata),
``http://127.0.0.1:5432/`` or a router on the LAN (server-side request
forgery). Every hop of every fetch passes through `check_public_url`.

Hosts are checked the way the resolver will see them: besides dotted quads,
``inet_aton`` accepts ``2130706433``, ``0x7f.1`` and ``0177.0.0.1`` as
127.0.0.1, so those forms are parsed here rather than trusted to look like
names.

`check_public_url` runs before each hop, and `PublicOnlyBackend` runs again
when the connection is opened: it resolves the host itself, refuses the
connection if any address is not public, and connects to the address it
checked. Without it a hostile DNS server could answer with a public address
for the check and a private one a moment later for the connection (DNS
rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore

from bot.core.errors import FetchError, UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_ALLOWED_SCHEMES = frozenset({"http", "https"})

# Prefixes that carry an IPv4 address inside an IPv6 one; a packet to them may
# end up at the embedded address, so that address must be public too.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public_ip(ip: IPAddress | str) -> bool:
    """Whether connecting to `ip` reaches the public internet and nothing else.

    Python's ``is_global`` alone misses some cases across versions, so each
    special range is also refused by name, and IPv6 forms that embed an IPv4
    address (mapped, 6to4, NAT64, Teredo) are judged by that address.

    Args:
        ip: An address object or its text form. Text that is not an address
            is never public.
    """
    if isinstance(ip, str):
        try:
            ip = ipaddress.ip_address(ip.strip("[]"))
        except ValueError:
            return False
    return _refusal_reason(ip) is None


def _refusal_reason(ip: IPAddress) -> str | None:
    """Name the kind of non-public address `ip` is, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return _refusal_reason(embedded)
        if ip in _NAT64_LOCAL:
            return "private"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("special-purpose", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a packet to `ip` would really reach, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def parse_ip_literal(host: str) -> IPAddress | None:
    """Read `host` as an IP address in any form the system resolver accepts.

    Returns None for a name that needs DNS. Besides standard IPv4 and IPv6
    text this reads the legacy ``inet_aton`` forms: one to four parts, each
    decimal, octal (leading 0) or hex (0x), the last part filling the
    remaining bytes.

    Raises:
        UnsafeURLError: The host is all numbers but no valid address; the
            resolver's reading of it cannot be predicted, so it is refused.
    """
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    numbers = [_inet_aton_part(part) for part in parts]
    if not host or any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if (
        len(values) > 4
        or any(v > 255 for v in values[:-1])
        or values[-1] >= 256 ** (5 - len(values))
    ):
        raise UnsafeURLError(f"host {host} is not a valid address")
    address = values[-1]
    for index, value in enumerate(values[:-1]):
        address += value << (8 * (3 - index))
    return ipaddress.IPv4Address(address)


def _inet_aton_part(part: str) -> int | None:
    """One dotted part as ``inet_aton`` reads it, or None if it is not numeric."""
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isascii() and lowered.isdigit() else None
    except ValueError:
        return None


async def check_public_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse `url` unless it is http(s) and every address of its host is public.

    All resolved addresses are checked, not only the first: the connection may
    use any of them (happy eyeballs tries IPv6 and IPv4).

    Args:
        url: The absolute URL about to be fetched.
        allow_private: Skip the address check (a site on the operator's own
            network, or tests against a local server). Scheme and host are
            still checked.

    Raises:
        UnsafeURLError: Scheme is not http(s), host is missing, or an address
            is not public.
        FetchError: The host name could not be resolved (worth retrying).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise UnsafeURLError(f"not a valid URL ({exc})", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        shown = f"scheme {scheme}:" if scheme else "no scheme"
        raise UnsafeURLError(f"{shown} is not allowed, only http and https", url=url)
    if not host:
        raise UnsafeURLError("URL has no host", url=url)
    try:
        literal = parse_ip_literal(host)
    except UnsafeURLError as exc:
        raise UnsafeURLError(str(exc), url=url) from exc
    if allow_private:
        return
    addresses = [literal] if literal is not None else await _resolve(host, url)
    _refuse_private(addresses, url)


def _refuse_private(addresses: Iterable[IPAddress], url: str) -> None:
    for address in addresses:
        reason = _refusal_reason(address)
        if reason is not None:
            detail = "private" if reason == "private" else f"private ({reason})"
            raise UnsafeURLError(f"address {address} is {detail}", url=url)


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network, connecting only to public addresses, and to those it checked.

    The host is resolved here, every address is judged like `check_public_url`
    does, and the connection goes to the checked address itself, so a second
    DNS answer never gets a say. TLS still verifies the certificate against the
    host name: httpcore passes it to the handshake separately.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a connection to the first reachable public address of `host`."""
        shown = f"{host}:{port}"
        literal = parse_ip_literal(host)
        addresses = [literal] if literal is not None else await _resolve(host, shown)
        _refuse_private(addresses, shown)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None  # `_resolve` never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: a socket file is the bot's own machine."""
        raise UnsafeURLError("unix sockets are not allowed", url=path)

    async def sleep(self, seconds: float) -> None:
        """Retries inside httpcore wait through the inner backend."""
        await self._inner.sleep(seconds)


async def _resolve(host: str, url: str) -> list[IPAddress]:
    """Every address the system resolver gives for `host`."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host}", url=url) from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        try:
            addresses.append(ipaddress.ip_address(text))
        except ValueError as exc:
            raise UnsafeURLError(f"host {host} resolved to {text!r}", url=url) from exc
    if not addresses:
        raise FetchError(f"cannot resolve host {host}", url=url)
    return addresses
