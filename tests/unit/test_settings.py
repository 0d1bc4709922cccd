import pytest

from bot.errors import ConfigError
from bot.settings import load_settings


def test_defaults_need_no_environment() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///./nashir.db"
    assert settings.poll_interval == 120
    assert settings.timezone == "Asia/Aden"
    assert settings.language == "ar"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.x_api_url == "https://api.twitter.com"
    assert settings.telegram_bot_token is None
    assert not settings.x_enabled


def test_lists_are_comma_separated_and_trimmed() -> None:
    settings = load_settings(
        {
            "NASHIR_SOURCES": " https://a.example/rss , https://b.example/page ,",
            "NASHIR_ADMIN_IDS": "111, 222",
            "TELEGRAM_CHANNELS": "@news,-1001234",
        },
        env_file=None,
    )
    assert settings.sources == ("https://a.example/rss", "https://b.example/page")
    assert settings.admin_ids == (111, 222)
    assert settings.telegram_channels == ("@news", "-1001234")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NASHIR_POLL_INTERVAL", "soon", "NASHIR_POLL_INTERVAL: "),
        ("NASHIR_POLL_INTERVAL", "0", "NASHIR_POLL_INTERVAL: "),
        ("NASHIR_ADMIN_IDS", "@editor", "NASHIR_ADMIN_IDS: '@editor' is not a numeric"),
        ("NASHIR_TIMEZONE", "Mars/Olympus", "NASHIR_TIMEZONE: unknown time zone"),
        ("NASHIR_LANGUAGE", "fr", "NASHIR_LANGUAGE: "),
        ("TELEGRAM_API_URL", "api.telegram.org", "TELEGRAM_API_URL: must start with http"),
        ("NASHIR_DATABASE_URL", "mysql://x", "NASHIR_DATABASE_URL: use a sqlite"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value}, env_file=None)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_plain_database_urls_get_the_async_driver() -> None:
    assert (
        load_settings({"NASHIR_DATABASE_URL": "postgresql://u@h/db"}, env_file=None).database_url
        == "postgresql+asyncpg://u@h/db"
    )
    assert (
        load_settings({"NASHIR_DATABASE_URL": "sqlite:///x.db"}, env_file=None).database_url
        == "sqlite+aiosqlite:///x.db"
    )


def test_environment_wins_over_env_file(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NASHIR_POLL_INTERVAL=300\nNASHIR_LANGUAGE=en\n")
    settings = load_settings({"NASHIR_POLL_INTERVAL": "60"}, env_file=env_file)
    assert settings.poll_interval == 60
    assert settings.language == "en"


def test_secrets_never_show_in_repr() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123456:very-secret-token-value-abcdefghijkl",
            "X_CONSUMER_SECRET": "x-secret-value",
        },
        env_file=None,
    )
    shown = repr(settings) + str(settings)
    assert "very-secret" not in shown
    assert "x-secret-value" not in shown
    assert set(settings.secrets()) == {
        "123456:very-secret-token-value-abcdefghijkl",
        "x-secret-value",
    }
