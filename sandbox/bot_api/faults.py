"""Failures a test switches on, answered exactly as Telegram answers them.

Each kind produces the status, description and parameters PTB turns into its
own exception (``Forbidden``, ``ChatMigrated``, ``RetryAfter`` ...), so the code
under test is checked against the real error, not a stand-in.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sandbox.bot_api.chats import Chats
from sandbox.bot_api.models import TelegramFault, TelegramFaultKind
from sandbox.bot_api.wire import ApiError, bad_request

__all__ = ["Faults"]


class Faults(Chats):
    """Switching faults on and off, and matching them to incoming calls."""

    def fault(
        self,
        kind: TelegramFaultKind,
        *,
        method: str | None = None,
        chat_id: int | str | None = None,
        times: int | None = 1,
        status: int | None = None,
        retry_after: int = 5,
        delay: float = 10.0,
    ) -> TelegramFault:
        """Make the next matching calls fail.

        Args:
            kind: What goes wrong (see `TelegramFaultKind`).
            method: Only calls of this method (case-insensitive); None for any.
            chat_id: Only calls addressed to this chat; None for any.
            times: How many calls fail; None for until `clear_faults`.
            status: For ``server_error``: 500 (JSON) or 502 (nginx HTML page).
            retry_after: For ``flood``: the seconds announced.
            delay: For ``timeout``: seconds the answer is held back. The call is then
                processed normally, so the message arrives although the client gave
                up, exactly the ambiguity real timeouts create.
        """
        default_status = {"server_error": 500, "blocked": 403, "deactivated": 403, "kicked": 403}
        fault = TelegramFault(
            kind=kind,
            method=method.lower() if method else None,
            chat_id=chat_id,
            times=times,
            status=status or default_status.get(kind, 400),
            retry_after=retry_after,
            delay=delay,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, params: Mapping[str, Any]) -> TelegramFault | None:
        if not self._faults:
            return None
        target = self._resolve(params.get("chat_id"))
        for fault in self._faults:
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_id is not None:
                wanted = self._resolve(fault.chat_id)
                if wanted is None or target is None or wanted.id != target.id:
                    continue
            fault.hits += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    def _fault_error(self, fault: TelegramFault, params: Mapping[str, Any]) -> ApiError:
        chat = self._resolve(params.get("chat_id"))
        kind = fault.kind
        if kind == "server_error":
            if fault.status == 502:
                return ApiError(502, "502 Bad Gateway", html=True)
            return ApiError(fault.status, "Internal Server Error")
        if kind == "blocked":
            return ApiError(403, "Forbidden: bot was blocked by the user")
        if kind == "deactivated":
            return ApiError(403, "Forbidden: user is deactivated")
        if kind == "kicked":
            chat_type = chat.type if chat and chat.type != "private" else "channel"
            return ApiError(403, f"Forbidden: bot was kicked from the {chat_type} chat")
        if kind == "chat_not_found":
            return bad_request("chat not found")
        if kind == "migrate":
            if chat is None:
                return bad_request("chat not found")
            new_id = chat.migrated_to or self.migrate(chat.id)
            return ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        if kind == "parse_error":
            return bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag \"b\""
            )
        if kind == "too_long":
            return bad_request("message is too long")
        self.count_429 += 1
        if chat is not None:
            self._penalties[chat.id] = time.monotonic() + fault.retry_after
        return ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
