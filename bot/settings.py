"""Settings from the environment; `.env` is read by the entry point and the real one wins."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from schedule.model import LANGUAGES

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_PATH = "data/forum.sqlite3"
DEFAULT_REMINDER_OFFSETS = (60.0, 15.0)
DEFAULT_TRANSPORT_REMINDER_MINUTES = 15.0
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1:8080"
# Paths of the listener that are not the webhook's.
SERVICE_PATHS = frozenset({"/healthz", "/metrics"})
T = TypeVar("T")


class SettingsError(ValueError):
    """Variables are malformed; each line of the message names one."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True, slots=True)
class Listen:
    """A ``host:port`` to listen on."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


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
    webhook_listen: Listen = Listen("127.0.0.1", 8080)
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


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _webhook_url(raw: str) -> str:
    try:
        parts = urlsplit(raw)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        host = None
    if parts.scheme not in ("https", "http") or not host:
        raise SettingsError(
            f"WEBHOOK_URL: {raw!r} is not an https:// URL (e.g. https://bot.example.org/tg)"
        )
    if parts.scheme != "https" and not is_loopback(host):
        # Telegram calls https:// addresses only; plain http is for a local test server.
        raise SettingsError(
            f"WEBHOOK_URL: {raw!r} must be https:// (http:// only for a loopback host)"
        )
    if (parts.path or "/") in SERVICE_PATHS:
        raise SettingsError(f"WEBHOOK_URL: the path {parts.path!r} is the health check's")
    return raw


def _listen(name: str, raw: str) -> Listen:
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^\s:\[\]]+):(\d{1,5})", raw)
    port = int(match.group(2) or match.group(4)) if match else 0
    if match is None or not 1 <= port <= 65535:
        raise SettingsError(
            f"{name}: {raw!r} is not host:port (e.g. {name}=127.0.0.1:8080 or [::1]:8080)"
        )
    return Listen(match.group(1) or match.group(3), port)


def _transport_minutes(raw: str | None, *, allow_fractional: bool) -> float:
    if raw is None:
        return DEFAULT_TRANSPORT_REMINDER_MINUTES
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(
            f"TRANSPORT_REMINDER_MINUTES: {raw!r} is not a number of minutes (e.g. 15)"
        ) from None
    if not 0 < value <= 24 * 60:
        raise SettingsError(f"TRANSPORT_REMINDER_MINUTES: {raw!r} must be between 1 and 1440")
    if not allow_fractional and value != int(value):
        raise SettingsError(f"TRANSPORT_REMINDER_MINUTES: {raw!r} must be whole minutes")
    return value


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

    def token() -> str | None:
        value = get("BOT_TOKEN")
        if value is not None and not _TOKEN.fullmatch(value):
            raise SettingsError(
                "BOT_TOKEN: does not look like a token from @BotFather (123456:ABC...)"
            )
        return value

    def api_url() -> str:
        value = (get("TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/")
        if not re.match(r"^https?://[^\s/]+", value):
            raise SettingsError(f"TELEGRAM_API_URL: {value!r} is not an http(s) URL")
        return value

    def code() -> str | None:
        value = get("DELEGATION_CODE")
        if value is not None and not _CODE.fullmatch(value):
            raise SettingsError("DELEGATION_CODE: use 1-64 characters of A-Z a-z 0-9 _ -")
        return value

    def level() -> str:
        value = (get("LOG_LEVEL") or "INFO").upper()
        if not isinstance(logging.getLevelName(value), int):
            raise SettingsError(
                f"LOG_LEVEL: {value!r} is not a logging level (DEBUG, INFO, WARNING)"
            )
        return value

    def webhook_url() -> str | None:
        value = get("WEBHOOK_URL")
        return None if value is None else _webhook_url(value)

    url = checked(webhook_url, None)

    def secret() -> str | None:
        value = get("WEBHOOK_SECRET")
        if value is not None and not _SECRET.fullmatch(value):
            raise SettingsError("WEBHOOK_SECRET: use 1-256 characters of A-Z a-z 0-9 _ -")
        if value is None and (url is not None or get("WEBHOOK_URL") is not None):
            raise SettingsError(
                "WEBHOOK_SECRET: required with WEBHOOK_URL (1-256 of A-Z a-z 0-9 _ -), e.g. "
                "the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    def health() -> Listen | None:
        value = get("HEALTH_LISTEN")
        return None if value is None else _listen("HEALTH_LISTEN", value)

    settings = Settings(
        bot_token=checked(token, None),
        telegram_api_url=checked(api_url, DEFAULT_API_URL),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        forum_file=Path(forum) if (forum := get("FORUM_FILE")) else None,
        admin_ids=checked(lambda: _admin_ids(get("ADMIN_IDS") or ""), frozenset()),
        reminder_offsets=checked(
            lambda: (
                _offsets(offsets, allow_fractional=allow_fractional_offsets)
                if (offsets := get("REMINDER_OFFSETS"))
                else DEFAULT_REMINDER_OFFSETS
            ),
            DEFAULT_REMINDER_OFFSETS,
        ),
        delegation_code=checked(code, None),
        log_level=checked(level, "INFO"),
        webhook_url=url,
        webhook_secret=checked(secret, None),
        webhook_listen=checked(
            lambda: _listen("WEBHOOK_LISTEN", get("WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN),
            Listen("127.0.0.1", 8080),
        ),
        health_listen=checked(health, None),
        transport_reminder_minutes=checked(
            lambda: _transport_minutes(
                get("TRANSPORT_REMINDER_MINUTES"), allow_fractional=allow_fractional_offsets
            ),
            DEFAULT_TRANSPORT_REMINDER_MINUTES,
        ),
        announce_chat_id=checked(lambda: _announce_chat(get("ANNOUNCE_CHAT_ID")), None),
        announce_language=checked(lambda: _announce_language(get("ANNOUNCE_LANGUAGE")), "en"),
    )
    if problems:
        raise SettingsError(*problems)
    return settings


def _announce_chat(raw: str | None) -> int | str | None:
    if raw is None:
        return None
    if re.fullmatch(r"-\d+", raw):
        return int(raw)
    if re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{3,31}", raw):
        return raw
    raise SettingsError(
        f"ANNOUNCE_CHAT_ID: {raw!r} is not a group or channel (a negative id such as "
        "-1001234567890, or a public channel's @username)"
    )


def _announce_language(raw: str | None) -> str:
    if raw is None:
        return "en"
    if raw not in LANGUAGES:
        raise SettingsError(
            f"ANNOUNCE_LANGUAGE: {raw!r} is not one of the bot's languages ({', '.join(LANGUAGES)})"
        )
    return raw
