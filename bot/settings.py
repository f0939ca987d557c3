"""Settings from the environment; `.env` is read by the entry point and the real one wins."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from bot.variables import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE_PATH,
    DEFAULT_REMINDER_OFFSETS,
    DEFAULT_TRANSPORT_REMINDER_MINUTES,
    Listen,
    SettingsError,
    admin_ids,
    announce_chat,
    announce_language,
    api_url,
    bot_token,
    delegation_code,
    health_listen,
    log_level,
    reminder_offsets,
    transport_minutes,
    webhook_listen,
    webhook_secret,
    webhook_url,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Settings:
    bot_token: str | None
    telegram_api_url: str
    database_path: Path
    forum_file: Path | None  # None: unset (the demo uses the bundled sample)
    admin_ids: frozenset[int]
    reminder_offsets: tuple[float, ...]
    delegation_code: str | None
    log_level: str
    # Webhook mode when set: Telegram POSTs updates to this public https:// address.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: Listen = Listen("127.0.0.1", 8080)  # noqa: RUF009 - Listen is frozen
    # /healthz and /metrics in polling mode (in webhook mode they are on webhook_listen too).
    health_listen: Listen | None = None

    @property
    def webhook_path(self) -> str:
        """The path Telegram calls, served on ``webhook_listen``."""
        return (urlsplit(self.webhook_url).path or "/") if self.webhook_url else "/"
    transport_reminder_minutes: float = DEFAULT_TRANSPORT_REMINDER_MINUTES
    # The delegation's group or channel, where change notices are posted too (optional).
    announce_chat_id: int | str | None = None
    announce_language: str = "en"

    def is_organiser(self, telegram_id: int | None) -> bool:
        return telegram_id is not None and telegram_id in self.admin_ids


def load_settings(
    env: Mapping[str, str] | None = None, *, allow_fractional_offsets: bool = False
) -> Settings:
    """Read and check every variable; raises :class:`SettingsError` naming the bad one.

    ``allow_fractional_offsets`` is for tests, whose reminders are seconds away.
    """
    env = os.environ if env is None else env
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    def checked(read: Callable[[], T], fallback: T) -> T:
        # Every variable is read, so that one run names every malformed one.
        try:
            return read()
        except SettingsError as error:
            problems.extend(error.problems)
            return fallback

    fractional = allow_fractional_offsets
    url = checked(lambda: webhook_url(get("WEBHOOK_URL")), None)
    settings = Settings(
        bot_token=checked(lambda: bot_token(get("BOT_TOKEN")), None),
        telegram_api_url=checked(lambda: api_url(get("TELEGRAM_API_URL")), DEFAULT_API_URL),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        forum_file=Path(forum) if (forum := get("FORUM_FILE")) else None,
        admin_ids=checked(lambda: admin_ids(get("ADMIN_IDS")), frozenset()),
        reminder_offsets=checked(
            lambda: reminder_offsets(get("REMINDER_OFFSETS"), allow_fractional=fractional),
            DEFAULT_REMINDER_OFFSETS,
        ),
        delegation_code=checked(lambda: delegation_code(get("DELEGATION_CODE")), None),
        log_level=checked(lambda: log_level(get("LOG_LEVEL")), "INFO"),
        webhook_url=url,
        webhook_secret=checked(
            lambda: webhook_secret(
                get("WEBHOOK_SECRET"), with_url=url is not None or get("WEBHOOK_URL") is not None
            ),
            None,
        ),
        webhook_listen=checked(
            lambda: webhook_listen(get("WEBHOOK_LISTEN")), Listen("127.0.0.1", 8080)
        ),
        health_listen=checked(lambda: health_listen(get("HEALTH_LISTEN")), None),
        transport_reminder_minutes=checked(
            lambda: transport_minutes(
                get("TRANSPORT_REMINDER_MINUTES"), allow_fractional=fractional
            ),
            DEFAULT_TRANSPORT_REMINDER_MINUTES,
        ),
        announce_chat_id=checked(lambda: announce_chat(get("ANNOUNCE_CHAT_ID")), None),
        announce_language=checked(lambda: announce_language(get("ANNOUNCE_LANGUAGE")), "en"),
    )
    if problems:
        raise SettingsError(*problems)
    return settings
