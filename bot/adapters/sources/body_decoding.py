"""Undo a response's ``Content-Encoding`` layers a little at a time, under a cap.

httpx's own decoders expand each network chunk in full before the caller can
count it: 3 KB of ``Content-Encoding: gzip, gzip`` on the wire became 4 GB in
memory before the size check ran. `BoundedDecoder` decodes the raw bytes
itself, every layer with an incremental decompressor asked for at most
`STEP` bytes per call (``decompress(data, max_length)`` and its
``unconsumed_tail``), and counts what each layer produces as it is produced.
So memory stays near the cap whatever the shape of the bomb: one layer or
several, gzip or deflate, chunked or not.

Encodings Nashir cannot decode (brotli, zstd, compress) are refused rather
than passed through as text: their bytes would only parse as garbage. Unknown
tokens that are not compressions (``identity``, or a server's ``utf-8``) pass
through, as httpx does.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Final

from bot.core.errors import FetchError

STEP: Final = 64 * 1024
MAX_LAYERS: Final = 3
ACCEPTED: Final = "gzip, deflate"

_GZIP: Final = frozenset({"gzip", "x-gzip"})
_DEFLATE: Final = frozenset({"deflate"})
_REFUSED: Final = frozenset({"br", "zstd", "compress", "x-compress", "lzma", "xz", "bzip2"})


class _Layer:
    """One zlib-family layer: gzip, zlib-wrapped deflate, or raw deflate."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._deflate = name in _DEFLATE
        wbits = zlib.MAX_WBITS | 16 if name in _GZIP else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)
        self._started = False
        self.produced = 0

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield `data` decompressed, never more than `STEP` bytes at once."""
        while data and not self._inflater.eof:
            try:
                piece = self._inflater.decompress(data, STEP)
            except zlib.error as exc:
                if self._deflate and not self._started:
                    # "deflate" is often sent raw, without the zlib wrapper
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise FetchError(f"body could not be decompressed ({self.name}): {exc}") from exc
            self._started = True
            data = self._inflater.unconsumed_tail
            if piece:
                self.produced += len(piece)
                yield piece


class BoundedDecoder:
    """Turns raw body bytes into decoded bytes, refusing more than `max_bytes`.

    Feed each raw chunk to `feed`, which yields the decoded pieces; the raw
    bytes, every layer's output and the final output all count against
    `max_bytes`, so neither a long body nor a small bomb gets past it.
    """

    def __init__(self, content_encoding: str | None, *, max_bytes: int, url: str) -> None:
        self._max_bytes = max_bytes
        self._url = url
        self._raw = 0
        tokens = [
            token.strip().lower() for token in (content_encoding or "").split(",") if token.strip()
        ]
        layers: list[_Layer] = []
        for token in tokens:
            if token in _GZIP or token in _DEFLATE:
                layers.append(_Layer(token))
            elif token in _REFUSED:
                raise FetchError(f"body compressed as {token!r}, which is not decoded", url=url)
        if len(layers) > MAX_LAYERS:
            raise FetchError(f"body compressed {len(layers)} times over", url=url)
        # The last encoding applied is listed last, so it comes off first.
        self._layers = layers[::-1]

    def too_large(self) -> FetchError:
        """The error for a body over the cap."""
        return FetchError(f"body larger than {size(self._max_bytes)}", url=self._url)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """Yield the decoded bytes `raw` carries, at most `STEP` at a time.

        Raises:
            FetchError: The body, or any layer of it, passed `max_bytes`, or
                a layer is not valid compressed data.
        """
        self._raw += len(raw)
        if self._raw > self._max_bytes:
            raise self.too_large()
        yield from self._through(0, raw)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        layer = self._layers[index]
        try:
            for piece in layer.decode(data):
                if layer.produced > self._max_bytes:
                    raise self.too_large()
                yield from self._through(index + 1, piece)
        except FetchError as exc:
            exc.url = exc.url or self._url
            raise


def size(count: int) -> str:
    """Format a byte count for a log line, in decimal units as settings are given."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= factor:
            return f"{count / factor:.3g} {unit}"
    return f"{count} bytes"
