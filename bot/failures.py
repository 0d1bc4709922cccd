"""What went wrong at start-up, as one line naming the setting to fix.

Library exceptions say `ConnectionRefusedError`, `gaierror` or
`InvalidToken: The token '…' was rejected`: true, but they neither name the
variable to change nor keep a secret out of the journal. `explain` walks an
exception's chain and answers with the setting. (The database's own failures
are explained where it is opened: `bot.adapters.storage.database.unavailable_reason`.)
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from bot.adapters.settings import Settings

_BIND_ADDRESS = re.compile(r"\('?([^',]*)'?, (\d+)\)")


def explain(exc: BaseException, settings: Settings | None) -> str | None:
    """One line naming the setting behind `exc`, or None when no setting is to blame."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
            return _port_in_use(error, settings)
        if type(error).__name__ == "InvalidToken" and type(error).__module__.startswith("telegram"):
            return (
                "TELEGRAM_BOT_TOKEN was rejected by Telegram: copy the bot's token again "
                "from @BotFather (or leave it empty to post to the console)"
            )
        if type(error).__name__ == "NetworkError" and type(error).__module__.startswith("telegram"):
            where = urlsplit(settings.telegram_api_url).netloc if settings else "Telegram"
            return f"cannot reach the Bot API at {where}: check the network or TELEGRAM_API_URL"
    return None


PRIVATE_HINT = "set NASHIR_ALLOW_PRIVATE_URLS=true to allow private and loopback addresses"


def with_hint(reason: str) -> str:
    """A refusal of a private or loopback address, with the setting that lifts it."""
    if reason.startswith("address ") and " is private" in reason:
        return f"{reason}; {PRIVATE_HINT}"
    return reason


def _port_in_use(error: OSError, settings: Settings | None) -> str:
    match = _BIND_ADDRESS.search(str(error))
    port = int(match.group(2)) if match else None
    names = []
    if settings is not None and port is not None:
        if settings.metrics_port == port:
            names.append("NASHIR_METRICS_PORT")
        if settings.http_port == port:
            names.append("NASHIR_HTTP_PORT")
    where = f"port {port}" if port is not None else "a port"
    if len(names) == 2:
        return (
            f"{where} is set as both NASHIR_METRICS_PORT and NASHIR_HTTP_PORT: "
            "give each server its own port"
        )
    setting = names[0] if names else "NASHIR_METRICS_PORT or NASHIR_HTTP_PORT"
    return f"{where} is already in use: choose another {setting} (or stop what listens there)"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            for inner in current.exceptions:
                yield from _chain(inner)
        current = current.__cause__ or current.__context__
