"""What an admin may tune about posts, as one immutable value.

Formatting is a pure function of an article and these options, so the same
options always give the same post and tests need no settings object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.formatting.labels import Language
from bot.core.formatting.templates import validate_template
from bot.core.model import Platform, SocialLinks

TELEGRAM_MESSAGE_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class UtmOptions:
    """Campaign tags added to article links on one platform.

    The source name ("telegram", "x", "dm") is chosen per call by the
    formatter's caller, since one platform serves channels and private chats.
    """

    enabled: bool = True
    medium: str = "social"
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class FormatOptions:
    """How posts look on each platform.

    Attributes:
        language: Language of the labels ("ar" or "en"); article text stays as written.
        social: The site's channels, linked from the Telegram footer.
        telegram_hashtags: Most hashtags on a Telegram post.
        x_hashtags: Most hashtags on X, where each costs characters.
        include_section_hashtag: Add the site section ("اهم الاخبار") as the last
            hashtag. Off by default: this site's sections are too generic to help.
        telegram_utm: Campaign tags on Telegram links.
        x_utm: Campaign tags on X links.
        read_more_button: Offer an inline "read more" button on Telegram posts.
        telegram_template: Replaces the default Telegram template (see templates).
        x_template: Replaces the default X template.
        telegram_summary_budget: Most characters of summary in a Telegram text
            message, so posts stay short enough to read in the channel list.
        caption_summary_budget: Most characters of summary in a photo caption;
            the caption as a whole is then held to Telegram's 1024.
        x_summary_budget: Most weighted characters of summary on X.
        x_min_summary: Below this weighted room a summary fragment says too
            little to be worth a tweet's space, so none is shown.
    """

    language: Language = "ar"
    social: SocialLinks = field(default_factory=SocialLinks)
    telegram_hashtags: int = 6
    x_hashtags: int = 3
    include_section_hashtag: bool = False
    telegram_utm: UtmOptions = field(default_factory=UtmOptions)
    x_utm: UtmOptions = field(default_factory=UtmOptions)
    read_more_button: bool = False
    telegram_template: str | None = None
    x_template: str | None = None
    telegram_summary_budget: int = 600
    caption_summary_budget: int = 450
    x_summary_budget: int = 140
    x_min_summary: int = 40

    def __post_init__(self) -> None:
        """Refuse nonsense early, at start-up, rather than at the first post.

        Raises:
            ValueError: A negative limit or an unknown language.
            TemplateError: A template `validate_template` refuses (a ConfigError
                and a ValueError, naming the field).
        """
        if self.language not in ("ar", "en"):
            raise ValueError(f"language must be 'ar' or 'en', not {self.language!r}")
        for name in (
            "telegram_hashtags",
            "x_hashtags",
            "telegram_summary_budget",
            "caption_summary_budget",
            "x_summary_budget",
            "x_min_summary",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.telegram_template is not None:
            validate_template(
                self.telegram_template, Platform.TELEGRAM, setting="telegram_template"
            )
        if self.x_template is not None:
            validate_template(self.x_template, Platform.X, setting="x_template")
