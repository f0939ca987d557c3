"""What can stop a start, said plainly: the Bot API check, leaving webhook mode, the database
and the forum file. Each failure is a :class:`StartupError` whose message says what is wrong."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.types import User

from bot.redaction import RedactSecrets, token_secrets
from bot.settings import Settings
from db.connection import Database, DatabaseUnavailable, open_db, unavailable
from db.forum import stored_forum_hash
from db.lock import DatabaseInUse, DatabaseLock
from schedule.clock import Clock
from schedule.forum_file import SAMPLE_FORUM_PATH, ForumFileError
from schedule.model import ImportReport
from schedule.services.importing import import_if_changed

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The bot cannot serve: a wrong token, a Bot API server that answers wrongly, a bad file."""


async def open_database(settings: Settings) -> tuple[DatabaseLock, Database]:
    """Lock DATABASE_PATH for this process (one process per database), then open it."""
    lock = DatabaseLock(settings.database_path)
    try:
        lock.acquire()
    except DatabaseInUse as error:
        raise StartupError(str(error)) from None
    except OSError as error:  # the folder cannot be created, a read-only or full disk
        raise StartupError(unavailable(settings.database_path, error)) from None
    try:
        db = await open_db(settings.database_path)
    except DatabaseUnavailable as error:
        lock.release()
        raise StartupError(str(error)) from None
    except BaseException:
        lock.release()
        raise
    return lock, db


async def load_programme_file(
    settings: Settings, db: Database, clock: Clock
) -> ImportReport | None:
    """Import FORUM_FILE if it changed. A bad file stops a bot that has no programme yet;
    a bot that has one keeps serving it and says loudly why the new file was not taken."""
    if settings.forum_file is None:
        # The bundled sample's codes are public: a bot on the network never falls back to it.
        raise StartupError("FORUM_FILE is not set (the bundled sample is for the demo only)")
    sample = settings.forum_file.resolve() == SAMPLE_FORUM_PATH.resolve()
    if sample and settings.bot_token is not None:
        log.warning(
            "FORUM_FILE is the bundled sample: its invitation codes are public; "
            "anyone who reads the repository can join"
        )
    try:
        report = await import_if_changed(db, settings.forum_file, clock())
    except ForumFileError as error:
        if await stored_forum_hash(db) is None:
            raise StartupError(f"FORUM_FILE could not be imported:\n{error}") from error
        log.error("FORUM_FILE was not imported; serving the stored programme:\n%s", error)
        return None
    if report is not None:
        log.info(
            "imported %s: %d added, %d changed, %d removed",
            settings.forum_file, len(report.added), len(report.changed), len(report.removed),
        )
    return report


async def check_bot_api(bot: Bot, settings: Settings) -> User:
    """getMe, turned into a :class:`StartupError` that says what is wrong."""
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError as error:
        raise StartupError(f"the Bot API refused BOT_TOKEN: {error.message}") from error
    except TelegramNetworkError as error:
        raise StartupError(
            f"could not reach the Bot API at {settings.telegram_api_url}: {error.message}"
        ) from error
    except (TelegramAPIError, AiogramError) as error:
        # e.g. ClientDecodeError: something answered that is not a Bot API server, and
        # perhaps echoed the URL, token and all: the message never carries it.
        said = RedactSecrets(token_secrets(settings.bot_token)).redact(str(error))
        raise StartupError(f"the Bot API answered getMe wrongly: {said}") from None
    if not me.is_bot or not me.username:
        raise StartupError("the Bot API answered getMe with something that is not a bot")
    log.info("serving as @%s", me.username)
    return me


async def leave_webhook_mode(bot: Bot) -> None:
    """deleteWebhook, so that polling works after a run in webhook mode (Telegram answers
    getUpdates with 409 Conflict while a webhook is set). Updates waiting are kept."""
    try:
        await bot.delete_webhook(drop_pending_updates=False)
    except (TelegramAPIError, AiogramError) as error:
        raise StartupError(f"the Bot API refused deleteWebhook: {error}") from error
