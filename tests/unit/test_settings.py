import pytest

from bot.adapters.settings import load_settings, unknown_variables
from bot.core.errors import ConfigError


def test_defaults_need_no_environment(tmp_path) -> None:
    settings = load_settings({"HOME": str(tmp_path)}, env_file=None)
    assert settings.database_url == (
        f"sqlite+aiosqlite:///{tmp_path}/.local/share/nashir/nashir.db"
    )
    assert (tmp_path / ".local" / "share" / "nashir").is_dir()
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
            "X_CONSUMER_KEY": "x-key-value",
            "X_CONSUMER_SECRET": "x-secret-value",
            "X_ACCESS_TOKEN": "x-token-value",
            "X_ACCESS_TOKEN_SECRET": "x-token-secret-value",
        },
        env_file=None,
    )
    shown = repr(settings) + str(settings)
    assert "very-secret" not in shown
    assert "x-secret-value" not in shown
    assert set(settings.secrets()) == {
        "123456:very-secret-token-value-abcdefghijkl",
        "x-key-value",
        "x-secret-value",
        "x-token-value",
        "x-token-secret-value",
    }


def test_an_empty_value_is_unset_even_in_the_process_environment(monkeypatch) -> None:
    for name in ("NASHIR_HTTP_PORT", "NASHIR_METRICS_PORT", "NASHIR_ADMIN_CHAT_ID"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("NASHIR_X_MONEY_PER_MONTH", "")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    settings = load_settings(env_file=None)
    assert settings.http_port is None
    assert settings.metrics_port is None
    assert settings.admin_chat_id is None
    assert settings.x_money_per_month is None
    assert settings.telegram_bot_token is None


def test_only_the_given_environment_is_read(monkeypatch) -> None:
    monkeypatch.setenv("NASHIR_POLL_INTERVAL", "7")
    assert load_settings({}, env_file=None).poll_interval == 120


@pytest.mark.parametrize("entry", ["marsad.example/rss", "not a url", "file:///etc/passwd"])
def test_each_source_is_checked_and_named(entry: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NASHIR_SOURCES": f"https://ok.example/rss,{entry}"}, env_file=None)
    assert str(caught.value) == (
        f"NASHIR_SOURCES: {entry!r} is not an http(s) URL of a feed or page"
    )


def test_feed_scheme_sources_are_read_as_https() -> None:
    settings = load_settings({"NASHIR_SOURCES": "feed://a.example/rss"}, env_file=None)
    assert settings.sources == ("https://a.example/rss",)


def test_a_partial_set_of_x_keys_names_the_missing_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"X_CONSUMER_KEY": "k", "X_ACCESS_TOKEN": "t"}, env_file=None)
    assert str(caught.value) == (
        "X needs all four keys or none: X_CONSUMER_SECRET, X_ACCESS_TOKEN_SECRET are not set"
    )


def test_a_named_env_file_must_exist(tmp_path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings({}, env_file=tmp_path / "nashir.env", required=True)


def test_unknown_variables_get_the_closest_setting() -> None:
    assert unknown_variables(
        ["NASHIR_POLL_INTERVALL", "X_WHATEVER", "PATH", "NASHIR_LANGUAGE"]
    ) == [
        "NASHIR_POLL_INTERVALL is not a Nashir setting: did you mean NASHIR_POLL_INTERVAL?",
        "X_WHATEVER is not a Nashir setting: it is ignored",
    ]


def test_the_default_database_follows_xdg_data_home(tmp_path) -> None:
    settings = load_settings({"XDG_DATA_HOME": str(tmp_path / "data")}, env_file=None)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/data/nashir/nashir.db"


@pytest.mark.parametrize(
    ("variable", "template", "problem"),
    [
        ("NASHIR_TELEGRAM_TEMPLATE", "<b> {title}</b>\\n{link}", "start of a tag"),
        ("NASHIR_TELEGRAM_TEMPLATE", '<span CLASS="tg-spoiler">{title}</span>', "not HTML"),
        ("NASHIR_TELEGRAM_TEMPLATE", '<a href="ftp://files.example/x">{title}</a>', "ftp"),
        ("NASHIR_X_TEMPLATE", "{title}", "{link}"),
    ],
)
def test_a_template_telegram_or_x_would_refuse_stops_start_up_naming_the_setting(
    variable: str, template: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: template}, env_file=None)
    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert problem in message
    assert "\n" not in message


def test_a_valid_template_is_kept_with_its_line_breaks() -> None:
    settings = load_settings(
        {"NASHIR_TELEGRAM_TEMPLATE": "<b>{title}</b>\\n{summary}\\n{link}"}, env_file=None
    )
    assert settings.telegram_template == "<b>{title}</b>\n{summary}\n{link}"


def test_the_projects_own_tooling_variables_are_not_taken_for_mistyped_settings() -> None:
    warnings = unknown_variables(
        [
            "NASHIR_CI_PGPORT",
            "NASHIR_TEST_CRASH_AT",
            "NASHIR_BENCH_DATABASE_URL",
            "NASHIR_POLL_INTERVALL",
        ]
    )
    assert warnings == [
        "NASHIR_POLL_INTERVALL is not a Nashir setting: did you mean NASHIR_POLL_INTERVAL?"
    ]
