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
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.support.process import bot_env, run_bot


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.telegram_api_url == DEFAULT_API_URL == "https://api.telegram.org"
    assert settings.database_path == Path(DEFAULT_DATABASE_PATH) == Path("data/forum.sqlite3")
    assert settings.forum_file == SAMPLE_FORUM_PATH
    assert settings.admin_ids == frozenset()
    assert settings.reminder_offsets == (60.0, 15.0)
    assert settings.delegation_code is None
    assert settings.log_level == "INFO"


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
        }
    )
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
