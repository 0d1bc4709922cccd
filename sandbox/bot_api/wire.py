"""The Bot API's wire format: reading parameters, writing answers and errors.

PTB sends JSON values as form strings and reads every error from the same
``{"ok": false, "error_code", "description", "parameters"}`` shape, so both
directions live here and the method groups deal in Python values only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.bot_api.models import JSON, UploadedFile, words

__all__ = ["INTEGER", "ApiError", "Described", "bad_request", "json_response", "read_params"]

INTEGER = re.compile(r"-?\d+")
# Form fields arrive as strings; these are converted to the types the Bot API documents.
_JSON_FIELDS = words(
    "reply_markup entities caption_entities link_preview_options reply_parameters "
    "allowed_updates commands scope results button media"
)
_INT_FIELDS = words(
    "message_id offset limit timeout message_thread_id user_id cache_time "
    "max_connections reply_to_message_id"
)
_CHAT_FIELDS = frozenset({"chat_id", "from_chat_id"})
_BOOL_FIELDS = words(
    "disable_notification protect_content show_alert drop_pending_updates is_personal "
    "has_spoiler show_caption_above_media allow_sending_without_reply "
    "disable_web_page_preview allow_paid_broadcast"
)


class ApiError(Exception):
    """An error answer; raised inside method implementations, turned into JSON once."""

    def __init__(
        self,
        status: int,
        description: str,
        parameters: JSON | None = None,
        *,
        html: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.html = html

    def response(self) -> web.Response:
        """The answer Telegram gives; a 502 comes from its nginx front as an HTML page."""
        if self.html:
            body = (
                f"<html>\r\n<head><title>{self.description}</title></head>\r\n<body>\r\n"
                f"<center><h1>{self.description}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n"
            )
            return web.Response(status=self.status, text=body, content_type="text/html")
        data: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return json_response(self.status, data)


@dataclass(frozen=True, slots=True)
class Described:
    """A result that the Bot API answers with an extra ``description`` (setWebhook)."""

    result: Any
    description: str


def json_response(status: int, data: JSON) -> web.Response:
    """A JSON answer with Arabic left readable, as Telegram sends it."""
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode(),
        content_type="application/json",
    )


def bad_request(description: str) -> ApiError:
    """A 400 error; Telegram prefixes every such description with "Bad Request: "."""
    return ApiError(400, f"Bad Request: {description}")


def _coerce(key: str, value: str) -> Any:
    """Convert one form field the way the Bot API reads it (PTB sends JSON as strings)."""
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _CHAT_FIELDS or key in _INT_FIELDS:
        return int(value) if INTEGER.fullmatch(value) else value
    if key in _BOOL_FIELDS:
        lowered = value.lower()
        if lowered in {"true", "1"}:
            return True
        if lowered in {"false", "0"}:
            return False
    return value


async def read_params(request: web.Request) -> JSON:
    """Collect parameters from the query string and a JSON, form or multipart body."""
    params: JSON = {key: _coerce(key, value) for key, value in request.query.items()}
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise bad_request("can't parse JSON request body") from error
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        for key, value in body.items():
            params[key] = _coerce(key, value) if isinstance(value, str) else value
        return params
    form = await request.post()
    files: dict[str, UploadedFile] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            params[key] = files[key]
        else:
            params[key] = _coerce(key, str(value))
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = files.get(value.removeprefix("attach://"), value)
    return params
