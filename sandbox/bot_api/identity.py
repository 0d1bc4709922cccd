"""The bot as users see it: its own user (getMe) and its command menus.

Command lists are stored per scope and language, because Telegram shows a user
the most specific list that matches them; a test reads back what the bot set.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.bot_api.models import JSON
from sandbox.bot_api.state import FakeState
from sandbox.bot_api.wire import bad_request

__all__ = ["BotIdentity"]

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class BotIdentity(FakeState):
    """getMe and the set/get/deleteMyCommands methods."""

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list stored for a scope and language (as getMyCommands answers)."""
        with self._lock:
            return list(self._commands.get(_commands_key(scope, language_code), []))

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _get_me(self, params: JSON) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._check_scope(params.get("scope"))
        key = _commands_key(params.get("scope"), params.get("language_code"))
        stored = [
            {"command": str(c["command"]), "description": str(c["description"])} for c in commands
        ]
        if stored:
            self._commands[key] = stored
        else:
            self._commands.pop(key, None)
        return True

    def _check_scope(self, scope: Any) -> None:
        """A scope naming a chat the bot does not know is refused, as Telegram refuses it."""
        if not isinstance(scope, dict) or "chat_id" not in scope:
            return
        chat = scope["chat_id"]
        if isinstance(chat, str) and chat.startswith("@"):
            known = chat[1:].lower() in self._usernames
        else:
            known = isinstance(chat, int | str) and str(chat).lstrip("-").isdigit()
            known = known and int(chat) in self._chats
        if not known:
            raise bad_request("chat not found")

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = _commands_key(params.get("scope"), params.get("language_code"))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JSON) -> bool:
        self._commands.pop(_commands_key(params.get("scope"), params.get("language_code")), None)
        return True


def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(language_code or "")
