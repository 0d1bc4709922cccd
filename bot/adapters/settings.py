"""Typed settings, read once from an environment that can be injected.

Every variable has a safe default so `nashir demo` runs with none set. A bad
value stops start-up with one line naming the variable (`ConfigError`), never
a pydantic dump. Secrets are `SecretStr`, so a `repr` or a log line of the
settings never shows them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.core.errors import ConfigError
from bot.core.formatting.templates import validate_template
from bot.core.model import Platform

CommaList = Annotated[tuple[str, ...], NoDecode]
IdList = Annotated[tuple[int, ...], NoDecode]


class Settings(BaseSettings):
    """Everything Nashir reads from the environment; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        extra="ignore", populate_by_name=True, frozen=True, env_ignore_empty=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what `load_settings` passes in: the environment it was given, never its own."""
        return (init_settings,)

    # -- core -------------------------------------------------------------------------
    database_url: str = Field(
        default_factory=lambda: default_database_url(os.environ),
        description="SQLAlchemy URL of the store; unset: the SQLite file nashir.db in "
        "$XDG_DATA_HOME/nashir (~/.local/share/nashir). PostgreSQL in production.",
        alias="NASHIR_DATABASE_URL",
    )
    sources: CommaList = Field(
        (),
        description="Comma-separated feed or page URLs to poll (http, https or feed).",
        alias="NASHIR_SOURCES",
    )
    poll_interval: int = Field(
        120,
        ge=1,
        description="Seconds between polls of one source.",
        alias="NASHIR_POLL_INTERVAL",
    )
    admin_ids: IdList = Field(
        (),
        description="Comma-separated Telegram user ids of the admins.",
        alias="NASHIR_ADMIN_IDS",
    )
    timezone: str = Field(
        "Asia/Aden", description="The newsroom's time zone (IANA name).", alias="NASHIR_TIMEZONE"
    )
    language: Literal["ar", "en"] = Field(
        "ar",
        description="Default language of posts and replies (ar or en).",
        alias="NASHIR_LANGUAGE",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level of log lines written.", alias="NASHIR_LOG_LEVEL"
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Log lines as readable text or one JSON object each.",
        alias="NASHIR_LOG_FORMAT",
    )

    contact_url: str = Field(
        "",
        description="Where site operators can learn about this bot (sent in the User-Agent).",
        alias="NASHIR_CONTACT_URL",
    )
    bot_name: str = Field(
        "",
        description="The bot's name in its messages to readers (default: its Telegram name).",
        alias="NASHIR_BOT_NAME",
    )

    http_host: str = Field(
        "127.0.0.1",
        description="Address Nashir's HTTP server binds (CMS hook, Telegram webhook).",
        alias="NASHIR_HTTP_HOST",
    )
    http_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Port of Nashir's HTTP server; unset runs none (0 picks a free port).",
        alias="NASHIR_HTTP_PORT",
    )

    # -- ingest -----------------------------------------------------------------------
    fetch_timeout: float = Field(
        15.0,
        gt=0,
        le=120,
        description="Seconds before a fetch gives up.",
        alias="NASHIR_FETCH_TIMEOUT",
    )
    fetch_max_bytes: int = Field(
        5_000_000,
        ge=10_000,
        description="Largest page or feed read, in bytes.",
        alias="NASHIR_FETCH_MAX_BYTES",
    )
    allow_private_urls: bool = Field(
        False,
        description="Allow sources on private or loopback addresses (tests, intranets).",
        alias="NASHIR_ALLOW_PRIVATE_URLS",
    )
    freshness_hours: float = Field(
        24.0,
        gt=0,
        description="Only articles published this recently are posted as new.",
        alias="NASHIR_FRESHNESS_HOURS",
    )
    complete_from_page: bool = Field(
        True,
        description="Fetch the article page when a feed item lacks body, tags or counter.",
        alias="NASHIR_COMPLETE_FROM_PAGE",
    )

    breaking_markers: CommaList = Field(
        ("عاجل",),
        description="Sections or tags that mark an article as breaking (posted first, unspaced).",
        alias="NASHIR_BREAKING_MARKERS",
    )

    # -- posting ----------------------------------------------------------------------
    min_gap: float = Field(
        60.0,
        ge=0,
        description="Minimum seconds between two posts to one channel.",
        alias="NASHIR_MIN_GAP",
    )
    deliver_interval: float = Field(
        2.0,
        gt=0,
        le=60,
        description=(
            "Longest sleep of the delivery loop with nothing due; queued rows wake it at once."
        ),
        alias="NASHIR_DELIVER_INTERVAL",
    )
    max_attempts: int = Field(
        6,
        ge=1,
        le=50,
        description="Attempts before a delivery is marked failed.",
        alias="NASHIR_MAX_ATTEMPTS",
    )
    utm: bool = Field(
        True, description="Tag article links with utm_source per platform.", alias="NASHIR_UTM"
    )
    telegram_template: str | None = Field(
        None,
        description=(
            "Telegram post template (HTML; fields {label} {title} {summary} {hashtags} {link} "
            "{credit} {footer} {section} {reads} {author}), checked under Telegram's own rules "
            "at start. Unset: the built-in one (no {author})."
        ),
        alias="NASHIR_TELEGRAM_TEMPLATE",
    )
    x_template: str | None = Field(
        None,
        description=(
            "X post template (plain text, must hold {link}; the Telegram template's fields). "
            "Unset: the built-in one."
        ),
        alias="NASHIR_X_TEMPLATE",
    )
    social_youtube: str | None = Field(
        None,
        description="Override the YouTube link found on the site.",
        alias="NASHIR_SOCIAL_YOUTUBE",
    )
    social_x: str | None = Field(
        None, description="Override the X link found on the site.", alias="NASHIR_SOCIAL_X"
    )
    social_telegram: str | None = Field(
        None,
        description="Override the Telegram link found on the site.",
        alias="NASHIR_SOCIAL_TELEGRAM",
    )
    social_facebook: str | None = Field(
        None,
        description="Override the Facebook link found on the site.",
        alias="NASHIR_SOCIAL_FACEBOOK",
    )
    social_google_news: str | None = Field(
        None,
        description="Override the Google News link found on the site.",
        alias="NASHIR_SOCIAL_GOOGLE_NEWS",
    )

    # -- Telegram ---------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(
        None,
        description="Bot token from BotFather; without it posts go to the console.",
        alias="TELEGRAM_BOT_TOKEN",
    )
    telegram_channels: CommaList = Field(
        (),
        description="Comma-separated channel ids or @names to post to (default: the site's).",
        alias="TELEGRAM_CHANNELS",
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org",
        description="Bot API server root; methods are called at {root}/bot{token}/{method}.",
        alias="TELEGRAM_API_URL",
    )

    # -- X ----------------------------------------------------------------------------
    x_consumer_key: SecretStr | None = Field(
        None, description="X app consumer key (OAuth 1.0a).", alias="X_CONSUMER_KEY"
    )
    x_consumer_secret: SecretStr | None = Field(
        None, description="X app consumer secret.", alias="X_CONSUMER_SECRET"
    )
    x_access_token: SecretStr | None = Field(
        None, description="X access token of the posting account.", alias="X_ACCESS_TOKEN"
    )
    x_access_token_secret: SecretStr | None = Field(
        None,
        description="X access token secret of the posting account.",
        alias="X_ACCESS_TOKEN_SECRET",
    )
    x_api_url: str = Field("https://api.twitter.com", description="X API root.", alias="X_API_URL")

    # -- delivery ---------------------------------------------------------------------
    telegram_rate: float = Field(
        30.0,
        gt=0,
        description="Messages per second to Telegram overall (Telegram allows about 30).",
        alias="NASHIR_TELEGRAM_RATE",
    )
    paid_broadcast: bool = Field(
        False,
        description="Send with allow_paid_broadcast (billed in Stars) to lift the overall rate.",
        alias="NASHIR_PAID_BROADCAST",
    )
    paid_broadcast_rate: float = Field(
        1000.0,
        gt=0,
        le=1000,
        description="Messages per second overall when paid broadcasts are on (at most 1000).",
        alias="NASHIR_PAID_BROADCAST_RATE",
    )
    private_rate: float = Field(
        1.0,
        gt=0,
        description="Messages per second to one private chat (Telegram allows 1).",
        alias="NASHIR_PRIVATE_RATE",
    )
    group_rate: float = Field(
        20.0,
        gt=0,
        description="Messages per minute to one group or channel (Telegram allows 20).",
        alias="NASHIR_GROUP_RATE",
    )
    delivery_batch: int = Field(
        200,
        ge=1,
        le=5000,
        description="Outbox rows one worker claims at a time.",
        alias="NASHIR_DELIVERY_BATCH",
    )
    delivery_concurrency: int = Field(
        32,
        ge=1,
        le=512,
        description="Sends one worker keeps in flight at once.",
        alias="NASHIR_DELIVERY_CONCURRENCY",
    )
    claim_lease: float = Field(
        120.0,
        gt=0,
        description="Seconds before a delivery left in flight by a stopped worker is sent again.",
        alias="NASHIR_CLAIM_LEASE",
    )
    backoff_base: float = Field(
        5.0,
        gt=0,
        description="Seconds before the first retry after a network or server error (doubles).",
        alias="NASHIR_BACKOFF_BASE",
    )
    backoff_max: float = Field(
        1800.0,
        gt=0,
        description="Longest wait between two retries, in seconds.",
        alias="NASHIR_BACKOFF_MAX",
    )
    x_posts_per_day: int = Field(
        50,
        ge=0,
        description="Most posts on X in any 24 hours.",
        alias="NASHIR_X_POSTS_PER_DAY",
    )
    x_money_per_month: float | None = Field(
        None,
        ge=0,
        description="Most money spent on X posts in a calendar month; unset for no cap.",
        alias="NASHIR_X_MONEY_PER_MONTH",
    )
    x_price_post: float = Field(
        0.0,
        ge=0,
        description="What X bills for one post without a link (from your X plan).",
        alias="NASHIR_X_PRICE_POST",
    )
    x_price_post_with_link: float = Field(
        0.0,
        ge=0,
        description="What X bills for one post with a link (from your X plan).",
        alias="NASHIR_X_PRICE_POST_WITH_LINK",
    )
    x_reserve: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Share of the X budget kept for breaking news and most-read posts.",
        alias="NASHIR_X_RESERVE",
    )
    x_images: bool = Field(
        False,
        description="Upload the article image with each X post.",
        alias="NASHIR_X_IMAGES",
    )

    # -- scheduling -------------------------------------------------------------------
    poll_backoff_max: float = Field(
        3600.0,
        gt=0,
        description="Longest wait, in seconds, between polls of a failing source (backoff cap).",
        alias="NASHIR_POLL_BACKOFF_MAX",
    )
    poll_jitter: float = Field(
        0.1,
        ge=0,
        le=0.5,
        description="Random spread of each poll interval, as a fraction of it.",
        alias="NASHIR_POLL_JITTER",
    )
    host_concurrency: int = Field(
        2,
        ge=1,
        le=32,
        description="Most requests in flight to one host at a time.",
        alias="NASHIR_HOST_CONCURRENCY",
    )
    hook_secret: SecretStr | None = Field(
        None,
        description="HMAC-SHA256 secret of POST /hooks/article; unset turns the hook off.",
        alias="NASHIR_HOOK_SECRET",
    )
    reads_interval: int = Field(
        600,
        ge=10,
        description="Seconds between two refreshes of the read counters.",
        alias="NASHIR_READS_INTERVAL",
    )
    reads_days: float = Field(
        2.0,
        gt=0,
        description="Read counters are refreshed for articles of this many last days.",
        alias="NASHIR_READS_DAYS",
    )
    reads_pages: int = Field(
        20,
        ge=0,
        description="Most article pages fetched per counter refresh (newest first).",
        alias="NASHIR_READS_PAGES",
    )
    reads_max_per_hour: int = Field(
        100_000,
        ge=1,
        description="A counter growing faster than this per hour is a bad reading, not a trend.",
        alias="NASHIR_READS_MAX_PER_HOUR",
    )
    trending_hours: float = Field(
        3.0,
        gt=0,
        description="Velocity (reads per hour) is measured over this many last hours.",
        alias="NASHIR_TRENDING_HOURS",
    )
    trending_top: int = Field(
        3,
        ge=0,
        description="An article entering the top N by velocity is posted as most read (0: off).",
        alias="NASHIR_TRENDING_TOP",
    )
    trending_min_velocity: float = Field(
        100.0,
        ge=0,
        description="Reads per hour below which an article is never trending.",
        alias="NASHIR_TRENDING_MIN_VELOCITY",
    )
    trending_cooldown_hours: float = Field(
        6.0,
        ge=0,
        description="Hours after its post as new before an article may be re-posted as trending.",
        alias="NASHIR_TRENDING_COOLDOWN_HOURS",
    )
    trending_to_x: bool = Field(
        False,
        description="Post trending articles to X too (they always go to the channels).",
        alias="NASHIR_TRENDING_TO_X",
    )
    digest_times: CommaList = Field(
        ("21:00",),
        description="Local times (HH:MM, comma-separated) of the channels' digest; off for none.",
        alias="NASHIR_DIGEST_TIMES",
    )
    digest_size: int = Field(
        5,
        ge=1,
        le=20,
        description="How many articles a digest lists (X gets the top three).",
        alias="NASHIR_DIGEST_SIZE",
    )
    weekly_digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        "fri",
        description="Day subscribers' weekly digests go out.",
        alias="NASHIR_WEEKLY_DIGEST_DAY",
    )
    quiet_site_hours: float = Field(
        3.0,
        ge=0,
        description="Alert the admins when nothing new came for this many hours (0: off).",
        alias="NASHIR_QUIET_SITE_HOURS",
    )
    publishing_hours: str = Field(
        "07:00-23:00",
        description="The site's usual publishing hours (local HH:MM-HH:MM) for quiet alerts.",
        alias="NASHIR_PUBLISHING_HOURS",
    )
    leader_check: float = Field(
        15.0,
        gt=0,
        le=60,
        description="Seconds between leader-lock checks (takeover within about twice this).",
        alias="NASHIR_LEADER_CHECK",
    )

    @field_validator("digest_times", mode="before")
    @classmethod
    def _split_times(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() == "off":
            return ()
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, tuple | list):
            for part in value:
                _clock_time(str(part))
        return value

    @field_validator("telegram_template", "x_template")
    @classmethod
    def _template(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        template = value.replace("\\n", "\n")  # one line in an env file, lines in posts
        platform = Platform.TELEGRAM if info.field_name == "telegram_template" else Platform.X
        validate_template(template, platform)
        return template

    @field_validator("publishing_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError("use HH:MM-HH:MM, for example 07:00-23:00")
        _clock_time(start.strip())
        _clock_time(end.strip())
        return value

    # -- handlers ---------------------------------------------------------------------
    admin_chat_id: int | None = Field(
        None,
        description="Chat that gets approval requests and alerts (default: each admin in private).",
        alias="NASHIR_ADMIN_CHAT_ID",
    )
    approval_destinations: CommaList = Field(
        (),
        description="Destinations whose posts wait for an admin's approval (@channel, id, or x).",
        alias="NASHIR_APPROVAL_DESTINATIONS",
    )
    approval_breaking_bypass: bool = Field(
        True,
        description="Breaking articles skip approval and go out at once.",
        alias="NASHIR_APPROVAL_BREAKING_BYPASS",
    )
    alert_source_failures: int = Field(
        3,
        ge=1,
        description="Alert the admins when a source fails this many polls in a row.",
        alias="NASHIR_ALERT_SOURCE_FAILURES",
    )
    telegram_webhook_secret: SecretStr | None = Field(
        None,
        description="Secret Telegram sends with each webhook update (default: random per start).",
        alias="TELEGRAM_WEBHOOK_SECRET",
    )

    # -- operations -------------------------------------------------------------------
    metrics_host: str = Field(
        "127.0.0.1",
        description="Address the metrics server (/metrics, /healthz) binds.",
        alias="NASHIR_METRICS_HOST",
    )
    metrics_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Port of the metrics server (/metrics, /healthz); unset runs none.",
        alias="NASHIR_METRICS_PORT",
    )
    health_poll_age: float = Field(
        1800.0,
        gt=0,
        description="/healthz fails when no source was polled successfully for this many seconds.",
        alias="NASHIR_HEALTH_POLL_AGE",
    )

    @field_validator(
        "sources", "telegram_channels", "breaking_markers", "approval_destinations", mode="before"
    )
    @classmethod
    def _split_words(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("sources")
    @classmethod
    def _source_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(source_url(entry) for entry in value)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a numeric Telegram user id")
            return tuple(int(part) for part in parts)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url", "x_api_url")
    @classmethod
    def _http_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the URLs people paste and pick the async driver Nashir needs."""
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if value.startswith(plain):
                return driver + value[len(plain) :]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use a sqlite:// or postgresql:// URL")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The newsroom's zone as an object."""
        return ZoneInfo(self.timezone)

    @property
    def x_enabled(self) -> bool:
        """X posting needs all four OAuth 1.0a values."""
        return all(
            secret is not None and secret.get_secret_value()
            for secret in (
                self.x_consumer_key,
                self.x_consumer_secret,
                self.x_access_token,
                self.x_access_token_secret,
            )
        )

    def secrets(self) -> list[str]:
        """Every secret value that is set, for log redaction."""
        values = [
            self.telegram_bot_token,
            self.x_consumer_key,
            self.x_consumer_secret,
            self.x_access_token,
            self.x_access_token_secret,
            self.telegram_webhook_secret,
            self.hook_secret,
        ]
        found = [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]
        password = urlsplit(self.database_url).password  # -- operations: the database's too
        return found + ([password, unquote(password)] if password else [])


def _clock_time(text: str) -> tuple[int, int]:
    """Read "HH:MM" (24-hour clock) or raise a ValueError saying what is wrong."""
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not a time like 21:00")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return int(hours), int(minutes)


def source_url(entry: str) -> str:
    """A source URL as stored: `feed://` read as https; anything but an http(s) URL refused.

    Raises:
        ValueError: The entry is not an absolute http(s) URL with a host; the
            message quotes it.
    """
    text = entry.strip()
    lowered = text.lower()
    if lowered.startswith("feed:https://") or lowered.startswith("feed:http://"):
        text = text[len("feed:") :]
    elif lowered.startswith("feed://"):
        text = "https://" + text[len("feed://") :]
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
        parts = urlsplit("")
    if parts.scheme.lower() not in ("http", "https") or not host or " " in text:
        raise ValueError(f"{entry.strip()!r} is not an http(s) URL of a feed or page")
    return text


def default_database_url(environ: Mapping[str, str]) -> str:
    """The SQLite file in the data directory: $XDG_DATA_HOME/nashir, else ~/.local/share/nashir.

    Stable wherever the command is run from; the directory is created by
    `load_settings` when it is used.
    """
    return f"sqlite+aiosqlite:///{data_dir(environ) / 'nashir.db'}"


def data_dir(environ: Mapping[str, str]) -> Path:
    """Where Nashir keeps its files when no database URL is set."""
    xdg = environ.get("XDG_DATA_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "nashir"
    home = environ.get("HOME", "").strip()
    base = Path(home) if home else Path.home()
    return base / ".local" / "share" / "nashir"


PREFIXES = ("NASHIR_", "TELEGRAM_", "X_")
# Variables of the project's own tooling, never settings: the tests, CI and the benchmarks.
TOOLING_PREFIXES = ("NASHIR_TEST_", "NASHIR_CI_", "NASHIR_BENCH_")
X_KEYS = ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")


def unknown_variables(names: Iterable[str]) -> list[str]:
    """One warning per variable that looks like a setting but is none, with the closest one."""
    known = sorted(env_names())
    warnings = []
    for name in sorted(set(names)):
        if not name.startswith(PREFIXES) or name in known or name.startswith(TOOLING_PREFIXES):
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "it is ignored"
        warnings.append(f"{name} is not a Nashir setting: {hint}")
    return warnings


def read_environment(
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = ".env",
    *,
    required: bool = False,
) -> dict[str, str]:
    """The variables settings are read from: `env_file` under `environ` (default: the process's).

    Raises:
        ConfigError: `env_file` is `required` (named by the user) but does
            not exist.
    """
    source = dict(os.environ if environ is None else environ)
    values: dict[str, str] = {}
    if env_file is not None:
        path = Path(env_file)
        if path.exists():
            try:
                loaded = dotenv_values(path)
            except OSError as exc:
                raise ConfigError(f"--env-file {path}: {exc.strerror or exc}") from None
            values.update({k: v for k, v in loaded.items() if v is not None})
        elif required:
            raise ConfigError(f"--env-file {path}: no such file")
    values.update(source)
    return values


def env_names() -> dict[str, str]:
    """Map each environment variable to its field name (for docs and `.env.example`)."""
    return {str(info.alias): name for name, info in Settings.model_fields.items()}


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = ".env",
    *,
    required: bool = False,
) -> Settings:
    """Build settings from `environ` (default: the process's) over an optional `.env` file.

    The environment wins over the file, as twelve-factor tools do. Only
    variables Nashir knows are read, so an unrelated variable never breaks
    start-up, and an empty value means unset whichever way it was given
    (systemd's `EnvironmentFile`, `docker --env-file`, a shell's `export`).
    """
    values = read_environment(environ, env_file, required=required)
    known = env_names()
    picked: dict[str, Any] = {
        name: value for name, value in values.items() if name in known and value.strip() != ""
    }
    missing_x = [name for name in X_KEYS if name not in picked]
    if 0 < len(missing_x) < len(X_KEYS):
        raise ConfigError(
            f"X needs all four keys or none: {', '.join(missing_x)} "
            f"{'is' if len(missing_x) == 1 else 'are'} not set"
        )
    if "NASHIR_DATABASE_URL" not in picked:
        folder = data_dir(values)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the data directory {folder} ({exc.strerror or exc}): "
                "set NASHIR_DATABASE_URL or XDG_DATA_HOME"
            ) from None
        picked["NASHIR_DATABASE_URL"] = default_database_url(values)
    try:
        return Settings.model_validate(picked)
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc)) from None


def _first_problem(exc: ValidationError) -> str:
    """One line: the variable and what is wrong with it."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "settings"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{name}: {message}"
