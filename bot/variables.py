"""The environment variables one at a time: each one's default, and the check of a value
given (stripped; None when unset or blank) that returns what the bot uses or raises a
:class:`SettingsError` whose message names the variable. :func:`bot.settings.load_settings`
reads them all."""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
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



def bot_token(value: str | None) -> str | None:
    if value is not None and not _TOKEN.fullmatch(value):
        raise SettingsError("BOT_TOKEN: does not look like a token from @BotFather (123456:ABC...)")
    return value


def api_url(raw: str | None) -> str:
    value = (raw or DEFAULT_API_URL).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise SettingsError(f"TELEGRAM_API_URL: {value!r} is not an http(s) URL")
    return value


def admin_ids(raw: str | None) -> frozenset[int]:
    ids: set[int] = set()
    if raw is None:
        return frozenset(ids)
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


def reminder_offsets(raw: str | None, *, allow_fractional: bool) -> tuple[float, ...]:
    if raw is None:
        return DEFAULT_REMINDER_OFFSETS
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


def delegation_code(value: str | None) -> str | None:
    if value is not None and not _CODE.fullmatch(value):
        raise SettingsError("DELEGATION_CODE: use 1-64 characters of A-Z a-z 0-9 _ -")
    return value


def log_level(raw: str | None) -> str:
    value = (raw or "INFO").upper()
    if not isinstance(logging.getLevelName(value), int):
        raise SettingsError(f"LOG_LEVEL: {value!r} is not a logging level (DEBUG, INFO, WARNING)")
    return value


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url(raw: str | None) -> str | None:
    if raw is None:
        return None
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


def webhook_secret(value: str | None, *, with_url: bool) -> str | None:
    if value is not None and not _SECRET.fullmatch(value):
        raise SettingsError("WEBHOOK_SECRET: use 1-256 characters of A-Z a-z 0-9 _ -")
    if value is None and with_url:
        raise SettingsError(
            "WEBHOOK_SECRET: required with WEBHOOK_URL (1-256 of A-Z a-z 0-9 _ -), e.g. "
            "the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return value


def listen(name: str, raw: str) -> Listen:
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^\s:\[\]]+):(\d{1,5})", raw)
    port = int(match.group(2) or match.group(4)) if match else 0
    if match is None or not 1 <= port <= 65535:
        raise SettingsError(
            f"{name}: {raw!r} is not host:port (e.g. {name}=127.0.0.1:8080 or [::1]:8080)"
        )
    return Listen(match.group(1) or match.group(3), port)


def webhook_listen(raw: str | None) -> Listen:
    return listen("WEBHOOK_LISTEN", raw or DEFAULT_WEBHOOK_LISTEN)


def health_listen(raw: str | None) -> Listen | None:
    return None if raw is None else listen("HEALTH_LISTEN", raw)


def transport_minutes(raw: str | None, *, allow_fractional: bool) -> float:
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


def announce_chat(raw: str | None) -> int | str | None:
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


def announce_language(raw: str | None) -> str:
    if raw is None:
        return "en"
    if raw not in LANGUAGES:
        raise SettingsError(
            f"ANNOUNCE_LANGUAGE: {raw!r} is not one of the bot's languages ({', '.join(LANGUAGES)})"
        )
    return raw
