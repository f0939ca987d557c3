"""Per-update values: who is writing (a delegate, an organiser, a stranger) and their language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.delivery.outbound import answering_update
from bot.i18n import language_from_telegram
from bot.settings import Settings
from db import delegates
from db.connection import Database
from schedule.model import Delegate
from schedule.rules import Viewer

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdatesInFlight(BaseMiddleware):
    """Knows which updates are being handled, so that a stop lets them finish first.

    aiogram handles each update in a task of its own and, when polling stops, leaves those
    tasks running while the shutdown hook drains the sender and the session and database
    close under them: an answer in flight was cut off (a traceback, the reply lost).
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            # Until the task ends, not the handler: aiogram's error handler answers after it.
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await handler(event, data)

    async def wait(self, timeout: float) -> None:
        """Let the updates being handled finish for up to `timeout` seconds; cancel the rest."""
        tasks = self._tasks - {asyncio.current_task()}
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout)
        for task in late:
            log.warning("an update was still being handled at the stop; cancelled")
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


class RememberUpdate(BaseMiddleware):
    """The update being handled, for the log line of an answer that could not be sent."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        token = answering_update.set(getattr(event, "update_id", None))
        try:
            return await handler(event, data)
        finally:
            answering_update.reset(token)


class PrivateChatsOnly(BaseMiddleware):
    """The programme of an official delegation is not for group chats: updates from groups
    and channels are left unanswered, whoever writes there."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.type != ChatType.PRIVATE:
            log.debug("ignored an update from %s chat %s", chat.type, chat.id)
            return None
        return await handler(event, data)


class ViewerMiddleware(BaseMiddleware):
    """Resolves ``delegate``, ``organiser``, ``viewer`` and ``lang`` for the handlers.

    Every update reads its sender's delegate row, and that read (a trip to aiosqlite's
    thread) was the largest part of a plain answer: rows read since the database's last
    write are remembered, and forgotten at the next write, whatever it changed.
    """

    def __init__(self) -> None:
        self._known: dict[int, Delegate | None] = {}
        self._known_at = -1  # the database's write count when they were read

    async def _delegate(self, db: Database, telegram_id: int) -> Delegate | None:
        if self._known_at != db.writes:
            self._known.clear()
            self._known_at = db.writes
        if telegram_id in self._known:
            return self._known[telegram_id]
        found = await delegates.by_telegram_id(db, telegram_id)
        if self._known_at == db.writes:  # nothing was written while it was read
            self._known[telegram_id] = found
        return found

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        db: Database = data["db"]
        settings: Settings = data["settings"]
        delegate = await self._delegate(db, user.id) if user else None
        organiser = settings.is_organiser(user.id if user else None)
        if delegate is not None and delegate.language:
            lang = delegate.language
        elif user is not None and organiser:
            lang = await delegates.user_language(db, user.id) or language_from_telegram(
                user.language_code
            )
        else:
            lang = language_from_telegram(user.language_code if user else None)
        if delegate is not None and delegate.blocked_at is not None:
            # They write to the bot again, so they have unblocked it.
            await delegates.mark_blocked(db, delegate.id, None)
        data["delegate"] = delegate
        data["organiser"] = organiser
        data["viewer"] = Viewer(group=delegate.group if delegate else None, organiser=organiser)
        data["lang"] = lang
        return await handler(event, data)


class LanguageMiddleware(I18nMiddleware):
    """aiogram's i18n context, with the language the ViewerMiddleware resolved."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return str(data.get("lang") or self.i18n.default_locale)
