"""Typed settings, read once from an environment that can be injected.

Every variable has a safe default so `nashir demo` runs with none set. A bad
value stops start-up with one line naming the variable (`ConfigError`), never
a pydantic dump. Secrets are `SecretStr`, so a `repr` or a log line of the
settings never shows them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

CommaList = Annotated[tuple[str, ...], NoDecode]
IdList = Annotated[tuple[int, ...], NoDecode]


class Settings(BaseSettings):
    """Everything Nashir reads from the environment; `.env.example` documents each one."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    # -- core -------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite+aiosqlite:///./nashir.db",
        description="SQLAlchemy URL of the store (SQLite file by default, PostgreSQL in "
        "production).",
        alias="NASHIR_DATABASE_URL",
    )
    sources: CommaList = Field(
        (), description="Comma-separated feed or page URLs to poll.", alias="NASHIR_SOURCES"
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
        description="Seconds between two passes of the delivery worker.",
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

    @field_validator("sources", "telegram_channels", "breaking_markers", mode="before")
    @classmethod
    def _split_words(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

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
        ]
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


def env_names() -> dict[str, str]:
    """Map each environment variable to its field name (for docs and `.env.example`)."""
    return {str(info.alias): name for name, info in Settings.model_fields.items()}


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Build settings from `environ` (default: the process's) over an optional `.env` file.

    The environment wins over the file, as twelve-factor tools do. Only
    variables Nashir knows are read, so an unrelated variable never breaks
    start-up.
    """
    source = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(source)
    known = env_names()
    picked = {name: value for name, value in values.items() if name in known}
    picked = {name: value for name, value in picked.items() if value != ""}
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
