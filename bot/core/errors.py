"""Nashir's error tree, grouped by what the caller must do.

Library errors (python-telegram-bot, tweepy, httpx) are translated once, at
the adapter edge, into these; the core decides on meaning, never on HTTP codes
or library types::

    NashirError
    ├── ConfigError                 bad setting: stop start-up with one line
    ├── SourceError                 a source could not be read this time: back off
    │   ├── FetchError              network, size cap, too many redirects
    │   │   ├── HTTPStatusError     the server answered an error status (`status`)
    │   │   └── UnsafeURLError      scheme or address not allowed: never retry
    │   └── ParseError              the body is not a feed or an article page
    ├── UserInputError              a command argument is wrong: answer the user
    └── PublishError                a platform refused or failed a post
        ├── RetryableError          try again later
        │   ├── RateLimited         wait exactly `retry_after` seconds first
        │   └── TransientError      network, timeout, 5xx: back off with jitter
        └── PermanentError          never retry this post to this destination
            ├── RecipientGone       user blocked the bot or was deactivated
            ├── DestinationGone     chat not found, bot kicked: disable it
            ├── ChatMoved           group became a supergroup: follow `new_chat_id`
            ├── MarkupRejected      entities unparsable or text too long: resend plain
            ├── DuplicateContent    the platform already has this post: skip
            └── Rejected            anything else the platform refuses
"""

from __future__ import annotations

from bot.core.redaction import redact


class NashirError(Exception):
    """Root of every error Nashir raises on purpose.

    The message is redacted when the error is made (`bot.core.redaction.redact`): it
    ends up in logs, admin alerts, ``last_error`` columns and `/healthz`, and
    a library's message may quote a Bot API URL with the token in it.
    """

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(redact(message), *args)


class ConfigError(NashirError):
    """A setting is missing or wrong; the message names the variable."""


class SourceError(NashirError):
    """A source could not be read this time; the source backs off."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class FetchError(SourceError):
    """The page or feed could not be downloaded (network, status, size)."""


class HTTPStatusError(FetchError):
    """The server answered with a status that is neither success nor redirect.

    Carries `status` so a source can tell "gone" (404, 410) from "try later"
    (429, 5xx).
    """

    def __init__(self, message: str, *, url: str | None = None, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class UnsafeURLError(FetchError):
    """The URL's scheme or address is not allowed (private, loopback, link-local)."""


class ParseError(SourceError):
    """The body is not a feed or an article page that can be read."""


class UserInputError(NashirError):
    """Wrong input from a person (command argument, URL); the message is the answer."""


class PublishError(NashirError):
    """A platform refused or failed a post."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RetryableError(PublishError):
    """The same post may succeed later."""


class RateLimited(RetryableError):
    """The platform asked us to wait `retry_after` seconds before trying again."""

    def __init__(
        self, message: str, *, retry_after: float, code: int | None = 429, daily: bool = False
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.daily = daily


class TransientError(RetryableError):
    """Network error, timeout or server error: back off with jitter."""


class PermanentError(PublishError):
    """Retrying this post to this destination can never succeed."""


class RecipientGone(PermanentError):
    """The user blocked the bot or deleted the account: deactivate the subscriber."""


class DestinationGone(PermanentError):
    """The chat does not exist or the bot was removed: disable the destination."""


class ChatMoved(PermanentError):
    """A group was upgraded to a supergroup; the post must go to `new_chat_id`."""

    def __init__(self, message: str, *, new_chat_id: int) -> None:
        super().__init__(message, code=400)
        self.new_chat_id = new_chat_id


class MarkupRejected(PermanentError):
    """The platform refused the markup or the length: resend once as plain text."""


class DuplicateContent(PermanentError):
    """The platform already holds an identical post: count it as skipped."""


class Rejected(PermanentError):
    """Any other refusal that retrying will not fix."""
