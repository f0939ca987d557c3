"""Settings from the environment; `.env` is read by the entry point and the real one wins."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from schedule.forum_file import SAMPLE_FORUM_PATH

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_PATH = "data/forum.sqlite3"
DEFAULT_REMINDER_OFFSETS = (60.0, 15.0)
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class SettingsError(ValueError):
    """A variable is malformed; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    bot_token: str | None
    telegram_api_url: str
    database_path: Path
    forum_file: Path
    admin_ids: frozenset[int]
    reminder_offsets: tuple[float, ...]
    delegation_code: str | None
    log_level: str

    def is_organiser(self, telegram_id: int | None) -> bool:
        return telegram_id is not None and telegram_id in self.admin_ids


def _admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise SettingsError(
                f"ADMIN_IDS: {part!r} is not a Telegram user id "
                "(expected numbers separated by commas, e.g. ADMIN_IDS=123456789,987654321)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _offsets(raw: str, *, allow_fractional: bool) -> tuple[float, ...]:
    values: list[float] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise SettingsError(
                f"REMINDER_OFFSETS: {part!r} is not a number of minutes "
                "(expected e.g. REMINDER_OFFSETS=60,15)"
            ) from None
        if value <= 0 or value > 7 * 24 * 60:
            raise SettingsError(f"REMINDER_OFFSETS: {part!r} must be between 1 minute and 7 days")
        if not allow_fractional and value != int(value):
            raise SettingsError(f"REMINDER_OFFSETS: {part!r} must be whole minutes")
        values.append(value)
    if not values:
        raise SettingsError("REMINDER_OFFSETS: give at least one number of minutes, e.g. 60,15")
    return tuple(sorted(set(values), reverse=True))


def load_settings(
    env: Mapping[str, str] | None = None, *, allow_fractional_offsets: bool = False
) -> Settings:
    """Read and check every variable; raises :class:`SettingsError` naming the bad one.

    ``allow_fractional_offsets`` is for tests, whose reminders are seconds away.
    """
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    token = get("BOT_TOKEN")
    if token is not None and not _TOKEN.fullmatch(token):
        raise SettingsError("BOT_TOKEN: does not look like a token from @BotFather (123456:ABC...)")
    api_url = (get("TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise SettingsError(f"TELEGRAM_API_URL: {api_url!r} is not an http(s) URL")
    code = get("DELEGATION_CODE")
    if code is not None and not _CODE.fullmatch(code):
        raise SettingsError("DELEGATION_CODE: use 1-64 characters of A-Z a-z 0-9 _ -")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"LOG_LEVEL: {level!r} is not a logging level (DEBUG, INFO, WARNING)")
    return Settings(
        bot_token=token,
        telegram_api_url=api_url,
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        forum_file=Path(get("FORUM_FILE") or SAMPLE_FORUM_PATH),
        admin_ids=_admin_ids(get("ADMIN_IDS") or ""),
        reminder_offsets=(
            _offsets(offsets, allow_fractional=allow_fractional_offsets)
            if (offsets := get("REMINDER_OFFSETS"))
            else DEFAULT_REMINDER_OFFSETS
        ),
        delegation_code=code,
        log_level=level,
    )
