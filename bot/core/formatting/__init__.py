"""Turn articles into posts for each platform: pure functions over plain data.

Nothing here sends, fetches or stores; it never imports a platform library,
so a post can be checked in a test exactly as it will be sent.
"""

from bot.core.formatting.digest import format_digest_telegram, format_digest_x
from bot.core.formatting.options import FormatOptions, UtmOptions
from bot.core.formatting.telegram import format_telegram, warn_about_dropped_links
from bot.core.formatting.templates import TemplateError, validate_template
from bot.core.formatting.x import format_x
from bot.core.text.tweet_length import weighted_length

__all__ = [
    "FormatOptions",
    "TemplateError",
    "UtmOptions",
    "format_digest_telegram",
    "format_digest_x",
    "format_telegram",
    "format_x",
    "validate_template",
    "warn_about_dropped_links",
    "weighted_length",
]
