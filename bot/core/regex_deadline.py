"""Regular expressions with a deadline: a pattern that backtracks forever cannot stall the bot.

Python's `re` cannot be interrupted once a match starts (it holds the GIL),
so searches run in a child process; one that passes its deadline has the
child killed and raises `RegexTimeout`, and the next search starts a fresh
child. Admins' filter patterns are the only input, so the child is started
lazily, on the first search, and most installations never start it.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from multiprocessing.connection import Connection
from typing import Any

START_TIMEOUT = 20.0
_CACHE_SIZE = 256


class RegexTimeout(Exception):
    """A search did not finish within the deadline; the worker was restarted."""


class RegexWorker:
    """Runs `re.search` in a child process under a deadline (thread-safe)."""

    def __init__(self, deadline: float = 0.25) -> None:
        self.deadline = deadline
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None

    def search(self, pattern: str, text: str) -> bool:
        """Whether `pattern` is found in `text` (case-insensitive).

        Raises:
            RegexTimeout: The search took longer than the deadline.
            ValueError: The pattern does not compile.
        """
        with self._lock:
            conn = self._ensure()
            conn.send((pattern, text))
            if not conn.poll(self.deadline):
                self._stop()
                raise RegexTimeout(f"pattern {pattern!r} took longer than {self.deadline}s")
            ok, value = conn.recv()
        if not ok:
            raise ValueError(str(value))
        return bool(value)

    def close(self) -> None:
        """Stop the child process, if one runs."""
        with self._lock:
            self._stop()

    def _ensure(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child,), daemon=True, name="nashir-regex")
        process.start()
        child.close()
        if not parent.poll(START_TIMEOUT):
            process.kill()
            raise RegexTimeout("the regex worker did not start")
        parent.recv()
        self._process, self._conn = process, parent
        return parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None


def _serve(conn: Connection) -> None:
    """The child's loop: compile (cached), search, answer (ok, result or error)."""
    cache: dict[str, re.Pattern[str]] = {}
    conn.send("ready")
    while True:
        try:
            pattern, text = conn.recv()
        except EOFError:
            return
        try:
            compiled = cache.get(pattern)
            if compiled is None:
                if len(cache) >= _CACHE_SIZE:
                    cache.clear()
                compiled = cache[pattern] = re.compile(pattern, re.IGNORECASE)
            conn.send((True, compiled.search(text) is not None))
        except re.error as exc:
            conn.send((False, f"bad pattern {pattern!r}: {exc}"))
