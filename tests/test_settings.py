"""Configuration: every variable's default, every malformed value named, the real env wins."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE_PATH,
    SettingsError,
    load_settings,
)
from tests.support.process import bot_env, run_bot


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.telegram_api_url == DEFAULT_API_URL == "https://api.telegram.org"
    assert settings.database_path == Path(DEFAULT_DATABASE_PATH) == Path("data/forum.sqlite3")
    assert settings.forum_file is None  # python -m bot refuses; the demo uses the sample
    assert settings.admin_ids == frozenset()
    assert settings.reminder_offsets == (60.0, 15.0)
    assert settings.delegation_code is None
    assert settings.log_level == "INFO"
    assert settings.transport_reminder_minutes == 15.0


def test_blank_values_mean_the_default() -> None:
    settings = load_settings({"BOT_TOKEN": "  ", "ADMIN_IDS": "", "LOG_LEVEL": " "})
    assert settings.bot_token is None and settings.admin_ids == frozenset()
    assert settings.log_level == "INFO"


def test_every_variable_is_read() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": "123456:AAH-secret_token",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "DATABASE_PATH": "/var/lib/forum/bot.sqlite3",
            "FORUM_FILE": "forums/tashkent.toml",
            "ADMIN_IDS": " 123, 456 ,-789,",
            "REMINDER_OFFSETS": "15, 120,60,15",
            "DELEGATION_CODE": "dushanbe_2023-x",
            "LOG_LEVEL": "debug",
            "TRANSPORT_REMINDER_MINUTES": "20",
        }
    )
    assert settings.transport_reminder_minutes == 20.0
    assert settings.bot_token == "123456:AAH-secret_token"
    assert settings.telegram_api_url == "http://127.0.0.1:8081"  # no trailing slash
    assert settings.database_path == Path("/var/lib/forum/bot.sqlite3")
    assert settings.forum_file == Path("forums/tashkent.toml")
    assert settings.admin_ids == frozenset({123, 456, -789})
    assert settings.reminder_offsets == (120.0, 60.0, 15.0)  # sorted, without duplicates
    assert settings.delegation_code == "dushanbe_2023-x"
    assert settings.log_level == "DEBUG"
    assert settings.is_organiser(456) and not settings.is_organiser(999)
    assert not settings.is_organiser(None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("BOT_TOKEN", "123456:has spaces"),
        ("TELEGRAM_API_URL", "ftp://example.org"),
        ("TELEGRAM_API_URL", "localhost:8081"),
        ("ADMIN_IDS", "abc"),
        ("ADMIN_IDS", "123,@organiser"),
        ("ADMIN_IDS", "12.5"),
        ("REMINDER_OFFSETS", "soon"),
        ("REMINDER_OFFSETS", "60,0"),
        ("REMINDER_OFFSETS", "-15"),
        ("REMINDER_OFFSETS", "20000"),
        ("REMINDER_OFFSETS", "7.5"),
        ("REMINDER_OFFSETS", ",,"),
        ("DELEGATION_CODE", "has space"),
        ("DELEGATION_CODE", "x" * 65),
        ("LOG_LEVEL", "LOUD"),
        ("TRANSPORT_REMINDER_MINUTES", "soon"),
        ("TRANSPORT_REMINDER_MINUTES", "0"),
        ("TRANSPORT_REMINDER_MINUTES", "2000"),
        ("TRANSPORT_REMINDER_MINUTES", "7.5"),
    ],
)
def test_malformed_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value})
    assert str(raised.value).startswith(f"{name}:")


def test_fractional_offsets_only_when_allowed() -> None:
    with pytest.raises(SettingsError, match="REMINDER_OFFSETS"):
        load_settings({"REMINDER_OFFSETS": "0.05"})
    allowed = load_settings({"REMINDER_OFFSETS": "0.05,0.1"}, allow_fractional_offsets=True)
    assert allowed.reminder_offsets == (0.1, 0.05)


def test_database_and_forum_paths_are_not_checked_for_existence() -> None:
    # The database folder is created at start; a missing forum file is reported by the import.
    settings = load_settings({"DATABASE_PATH": "nowhere/yet/db.sqlite3", "FORUM_FILE": "no.toml"})
    assert settings.database_path == Path("nowhere/yet/db.sqlite3")
    assert settings.forum_file == Path("no.toml")


def test_load_settings_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "31337")
    assert load_settings().admin_ids == frozenset({31337})


# ------------------------------------------------------------------- .env through the CLI


def _run(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_bot(cwd=cwd, env=bot_env(**env))


def test_dotenv_in_the_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=abc\n", encoding="utf-8")
    result = _run(tmp_path, DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr
    assert "Traceback" not in result.stderr


def test_real_environment_wins_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=abc\nLOG_LEVEL=LOUD\n", encoding="utf-8")
    result = _run(
        tmp_path, ADMIN_IDS="42", LOG_LEVEL="WARNING", DATABASE_PATH=str(tmp_path / "db.sqlite3")
    )
    # Past the configuration: what stops it now is the missing token, not the .env values.
    assert result.returncode == 2
    assert "ADMIN_IDS" not in result.stderr and "LOG_LEVEL" not in result.stderr
    assert "BOT_TOKEN" in result.stderr


# ------------------------------------------------------------------- webhook and health


def test_webhook_and_health_are_off_by_default() -> None:
    settings = load_settings({})
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert str(settings.webhook_listen) == "127.0.0.1:8080"
    assert settings.health_listen is None


def test_webhook_variables_are_read() -> None:
    settings = load_settings(
        {
            "WEBHOOK_URL": "https://bot.example.org/tg/hook?k=1",
            "WEBHOOK_SECRET": "A-z_09" * 10,
            "WEBHOOK_LISTEN": "0.0.0.0:9000",
            "HEALTH_LISTEN": "[::1]:9100",
        }
    )
    assert settings.webhook_url == "https://bot.example.org/tg/hook?k=1"
    assert settings.webhook_path == "/tg/hook"
    assert settings.webhook_secret == "A-z_09" * 10
    assert (settings.webhook_listen.host, settings.webhook_listen.port) == ("0.0.0.0", 9000)
    assert settings.health_listen is not None and str(settings.health_listen) == "[::1]:9100"
    bare = load_settings({"WEBHOOK_URL": "https://bot.example.org", "WEBHOOK_SECRET": "s"})
    assert bare.webhook_path == "/"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.1", "localhost", "[::1]"])
def test_plain_http_is_allowed_only_for_a_loopback_host(host: str) -> None:
    url = f"http://{host}:8443/hook"
    assert load_settings({"WEBHOOK_URL": url, "WEBHOOK_SECRET": "s"}).webhook_url == url


def _hook(url: str, secret: str = "s") -> dict[str, str]:
    return {"WEBHOOK_URL": url, "WEBHOOK_SECRET": secret}


@pytest.mark.parametrize(
    ("env", "name", "says"),
    [
        (_hook("http://bot.example.org/hook"), "WEBHOOK_URL", "https://"),
        (_hook("http://10.0.0.5/hook"), "WEBHOOK_URL", "https://"),
        (_hook("ftp://bot.example.org/"), "WEBHOOK_URL", "not an https"),
        (_hook("bot.example.org/hook"), "WEBHOOK_URL", "not an https"),
        (_hook("https://:443/hook"), "WEBHOOK_URL", "not an https"),
        (_hook("https://h.org:99999/"), "WEBHOOK_URL", "not an https"),
        (_hook("https://h.org/healthz"), "WEBHOOK_URL", "health check"),
        ({"WEBHOOK_URL": "https://h.org/hook"}, "WEBHOOK_SECRET", "required"),
        (_hook("https://h.org/hook", "has space"), "WEBHOOK_SECRET", "1-256"),
        (_hook("https://h.org/hook", "x" * 257), "WEBHOOK_SECRET", "1-256"),
        (_hook("https://h.org/hook", "sécret"), "WEBHOOK_SECRET", "1-256"),
        ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN", "host:port"),
        ({"WEBHOOK_LISTEN": "127.0.0.1:0"}, "WEBHOOK_LISTEN", "host:port"),
        ({"WEBHOOK_LISTEN": "127.0.0.1:70000"}, "WEBHOOK_LISTEN", "host:port"),
        ({"HEALTH_LISTEN": "localhost"}, "HEALTH_LISTEN", "host:port"),
        ({"HEALTH_LISTEN": "::1:80"}, "HEALTH_LISTEN", "host:port"),
    ],
)
def test_malformed_webhook_values_are_named(env: dict[str, str], name: str, says: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(env)
    assert str(error.value).startswith(f"{name}: "), str(error.value)
    assert says in str(error.value)




def test_every_malformed_variable_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(
            {"ADMIN_IDS": "abc", "LOG_LEVEL": "loud", "WEBHOOK_URL": "http://example.org/"}
        )
    names = [line.split(":")[0] for line in error.value.problems]
    assert sorted(names) == ["ADMIN_IDS", "LOG_LEVEL", "WEBHOOK_SECRET", "WEBHOOK_URL"]


def test_the_delegations_chat_and_its_language() -> None:
    assert load_settings({}).announce_chat_id is None
    assert load_settings({}).announce_language == "en"
    chat = load_settings({"ANNOUNCE_CHAT_ID": "-1001234567890", "ANNOUNCE_LANGUAGE": "uz-Cyrl"})
    assert (chat.announce_chat_id, chat.announce_language) == (-1001234567890, "uz-Cyrl")
    assert load_settings({"ANNOUNCE_CHAT_ID": "@tict_delegation"}).announce_chat_id == (
        "@tict_delegation"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANNOUNCE_CHAT_ID", "123456"),  # a person, not a group
        ("ANNOUNCE_CHAT_ID", "delegation"),
        ("ANNOUNCE_LANGUAGE", "de"),
    ],
)
def test_a_wrong_announce_setting_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
