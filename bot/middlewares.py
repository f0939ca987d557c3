"""Per-update values: who is writing (a delegate, an organiser, a stranger) and their language.

Two outer middlewares on updates, no more: every layer an update passes costs it some
microseconds of aiogram's chain (BENCHMARKS.md), so what each update needs is done in the
layer that has it at hand. :class:`UpdatesInFlight` does the bookkeeping (which updates run,
their count); :class:`ViewerMiddleware` says who writes, in which language, and whether a
stranger gets an answer (:class:`StrangersAnsweredSparingly`, a plain rule).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.delivery.outbound import answering_update
from bot.i18n import language_from_telegram
from bot.settings import Settings
from db import delegates
from db.connection import Database
from schedule.clock import utc_now
from schedule.rules import Viewer

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdatesInFlight(BaseMiddleware):
    """Knows which updates are being handled, so that a stop lets them finish first, and
    which one this task is handling, for the log line of an answer that could not be sent
    (``answering_update``).

    aiogram handles each update in a task of its own and, when polling stops, leaves those
    tasks running while the shutdown hook drains the sender and the session and database
    close under them: an answer in flight was cut off (a traceback, the reply lost).
    ``seen`` is told of every update as it arrives, those from groups too (the metrics).
    """

    def __init__(self, seen: Callable[[TelegramObject], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._seen = seen

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if self._seen is not None:
            self._seen(event)
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            # Until the task ends, not the handler: aiogram's error handler answers after it.
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        token = answering_update.set(getattr(event, "update_id", None))
        try:
            return await handler(event, data)
        finally:
            answering_update.reset(token)

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


class ViewerMiddleware(BaseMiddleware):
    """Leaves updates from groups and channels unanswered, whoever writes there (the
    programme of an official delegation is not for group chats), resolves ``delegate``,
    ``organiser``, ``viewer`` and ``lang`` for the handlers, leaves strangers who write too
    often unanswered (``strangers``), and handles the update in its viewer's language
    (aiogram's i18n context, as its ``I18nMiddleware`` sets it).

    Every update reads its sender's delegate row: a read of one row by its key, on the
    database's quick path (:meth:`db.connection.Database.read_one`), so it is always what
    the database holds, whoever wrote it.
    """

    def __init__(self, i18n: I18n, strangers: StrangersAnsweredSparingly | None = None) -> None:
        self.i18n = i18n
        self.strangers = strangers if strangers is not None else StrangersAnsweredSparingly()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.type != ChatType.PRIVATE:
            log.debug("ignored an update from %s chat %s", chat.type, chat.id)
            return None
        user: User | None = data.get("event_from_user")
        db: Database = data["db"]
        settings: Settings = data["settings"]
        delegate = await delegates.by_telegram_id(db, user.id) if user else None
        organiser = settings.is_organiser(user.id if user else None)
        if delegate is not None and delegate.language:
            lang = delegate.language
        elif user is not None and organiser:
            lang = await delegates.user_language(db, user.id) or language_from_telegram(
                user.language_code
            )
        else:
            lang = language_from_telegram(user.language_code if user else None)
        if delegate is None and not organiser and user is not None:
            now: datetime = data.get("clock", utc_now)()
            if not self.strangers.allows(user.id, event, now):
                return None
        elif delegate is not None and delegate.blocked_at is not None:
            # They write to the bot again, so they have unblocked it.
            await delegates.mark_blocked(db, delegate.id, None)
        data["delegate"] = delegate
        data["organiser"] = organiser
        data["viewer"] = Viewer(group=delegate.group if delegate else None, organiser=organiser)
        data["lang"] = lang
        # What I18nMiddleware's two context managers do, without their generators' cost.
        i18n_token = I18n.set_current(self.i18n)
        locale_token = self.i18n.ctx_locale.set(lang)
        try:
            return await handler(event, data)
        finally:
            self.i18n.ctx_locale.reset(locale_token)
            I18n.reset_current(i18n_token)


@dataclass(slots=True)
class _Allowance:
    """A token bucket: ``tokens`` answers left as of ``at``."""

    tokens: float
    at: datetime


class StrangersAnsweredSparingly:
    """Someone who is neither a delegate nor an organiser gets a few answers at once, then
    one per ``interval``; all strangers together at most ``overall`` a second. The rest is
    dropped unanswered, so that a crowd of strangers cannot spend the messages a second
    that Telegram allows the bot, which delegates need (their updates are never counted).

    The burst covers an honest newcomer (/start, a code mistyped three times, the right one)
    and the overall one a crowd of strangers at once; 5 a second leaves most of Telegram's
    30 for delegates. ``/start CODE`` counts only against the person's own allowance: a
    delegation opening its invitation links at once must not be left unanswered, and
    wrong codes have a limit across accounts of their own (schedule.services.joining).

    The clock is the application's (``clock`` in the workflow data), so tests move it.
    """

    def __init__(
        self,
        *,
        burst: int = 5,
        interval: timedelta = timedelta(seconds=15),
        overall: float = 5.0,
        overall_burst: int = 50,
        tracked: int = 10_000,
    ) -> None:
        self.burst = burst
        self.interval = interval
        self.overall = overall
        self.overall_burst = overall_burst
        self.tracked = tracked
        self._people: dict[int, _Allowance] = {}
        self._everyone: _Allowance | None = None
        self.dropped = 0

    def allows(self, user_id: int, event: TelegramObject, now: datetime) -> bool:
        """Whether the stranger's update gets an answer; counts it either way."""
        if self._take(user_id, now, overall=not _joins(event)):
            return True
        self.dropped += 1
        log.debug("a stranger's update was left unanswered (too many)")
        return False

    def _take(self, user_id: int, now: datetime, *, overall: bool = True) -> bool:
        mine = self._people.get(user_id) or _Allowance(float(self.burst), now)
        mine = _refill(mine, now, 1 / self.interval.total_seconds(), self.burst)
        everyone = _refill(
            self._everyone or _Allowance(float(self.overall_burst), now),
            now,
            self.overall,
            self.overall_burst,
        )
        allowed = mine.tokens >= 1 and (everyone.tokens >= 1 or not overall)
        if allowed:
            mine.tokens -= 1
            everyone.tokens = max(0.0, everyone.tokens - 1)
        self._everyone = everyone
        if len(self._people) >= self.tracked and user_id not in self._people:
            self._forget_rested(now)
        self._people[user_id] = mine
        return allowed

    def _forget_rested(self, now: datetime) -> None:
        """Those whose allowance is full again are remembered no longer (memory stays bounded)."""
        rested = self.interval * self.burst
        for user_id in [u for u, a in self._people.items() if now - a.at >= rested]:
            del self._people[user_id]
        while len(self._people) >= self.tracked:  # a flood of new accounts: oldest go first
            del self._people[next(iter(self._people))]


def _joins(event: TelegramObject) -> bool:
    """``/start CODE``: someone opening an invitation link (or typing its code)."""
    message = event.message if isinstance(event, Update) else None
    words = (message.text or "").split(maxsplit=1) if message is not None else []
    return len(words) == 2 and words[0].split("@")[0] == "/start"


def _refill(allowance: _Allowance, now: datetime, per_second: float, cap: int) -> _Allowance:
    elapsed = max(0.0, (now - allowance.at).total_seconds())
    tokens = min(float(cap), allowance.tokens + elapsed * per_second)
    return _Allowance(tokens, max(now, allowance.at))


class LanguageMiddleware(I18nMiddleware):
    """aiogram's i18n context, with the language the ViewerMiddleware resolved: for the
    error handler, which runs after the update's own context has ended."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return str(data.get("lang") or self.i18n.default_locale)


class Provide(BaseMiddleware):
    """Inner middleware: hands a router's handlers the long-lived values they name, just
    before they run (see ``bot.dispatcher.provide``)."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data.update(self.values)
        return await handler(event, data)
