"""Every message the bot sends takes its turn in the one budget, in the Bot API session.

:class:`Outbound` is an aiogram request middleware registered on ``bot.session``: a
handler's ``message.answer(...)``, a reminder, a notice, a broadcast, a document and a
venue pin all pass through it, so no handler has to remember the budget. A request's class
is :data:`~bot.delivery.priority.current_priority` (an answer unless the sender said
otherwise with :func:`~bot.delivery.priority.sending_as`).

- **Answers** wait for their turn; one that meets 429 waits ``retry_after`` and goes again,
  one the server refused with a 5xx or that could not connect goes again after a short
  backoff; the handler sees none of it. An answer that still cannot go after
  ``answer_patience`` seconds is logged with the update id and its error raised.
- **Pushes** sent through :class:`~bot.delivery.sender.PacedSender` take their turn there
  (which decides about retries and records outcomes, see :meth:`Outbound.ask`); other pushes
  (a broadcast's progress message) take one turn here and see their errors.
- A 429 from any request pauses every class for ``retry_after``.

Only messages count (``send*`` but chat actions, ``copyMessage``, ``forwardMessage``): edits,
callback answers, ``getUpdates`` and the like go straight through.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import aiohttp
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.delivery.budget import Budget, ChatId, Ticket
from bot.delivery.priority import Priority, current_priority

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response

log = logging.getLogger(__name__)

# The update being handled, for the log line of an answer that could not go.
answering_update: ContextVar[int | None] = ContextVar("answering_update", default=None)
# Set while a PacedSender holds a turn for the request it makes: not budgeted twice.
_turn_held: ContextVar[bool] = ContextVar("turn_held", default=False)

_MESSAGE_METHODS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
_NOT_MESSAGES = frozenset({"sendChatAction"})
ANSWER_PATIENCE = 60.0  # seconds an answer keeps trying before it is given up and logged
ANSWER_BACKOFF = 0.5


def budgeted_chat(method: TelegramMethod[Any]) -> ChatId | None:
    """The chat a message goes to, or None for a request that is not a message."""
    name = method.__api_method__
    if name in _NOT_MESSAGES or not (name.startswith("send") or name in _MESSAGE_METHODS):
        return None
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int | str) else None


def surely_not_sent(error: Exception) -> bool:
    """Whether a failed request certainly did not reach Telegram, so that sending it again
    cannot deliver it twice: a 429 or a 5xx answer, or a connection that was never made.
    A timeout or a dropped connection after the request went out is not: it may have
    been delivered and only its answer lost."""
    if isinstance(error, TelegramRetryAfter | TelegramServerError):
        return True
    if isinstance(error, TelegramNetworkError):
        cause = error.__cause__
        return isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    return False


class Outbound(BaseRequestMiddleware):
    """The budget's runtime: hands out turns as they come (timers, no task of its own)."""

    def __init__(
        self,
        budget: Budget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        answer_patience: float = ANSWER_PATIENCE,
        answer_backoff: float = ANSWER_BACKOFF,
    ) -> None:
        self.budget = budget or Budget()
        self._clock = clock
        self.answer_patience = answer_patience
        self.answer_backoff = answer_backoff
        self._waiters: dict[Ticket, asyncio.Future[None]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = float("inf")
        self.flood_waits = 0  # 429s seen, for the log and benchmarks

    # ------------------------------------------------------------ turns

    def ask(
        self, chat_id: ChatId, priority: Priority, seq: int | None = None
    ) -> tuple[Ticket, asyncio.Future[None]]:
        """Queue a message; the future completes when its turn comes. Every ticket ends with
        :meth:`done` (granted) or :meth:`cancel` (not granted). Every ticket that waits is
        in ``_waiters``: none there means the budget has no queue (:meth:`take_turn`)."""
        ticket = self.budget.ask(chat_id, priority, self._clock(), seq)
        future = asyncio.get_running_loop().create_future()
        self._waiters[ticket] = future
        self._hand_out()
        return ticket, future

    def cancel(self, ticket: Ticket) -> None:
        self._waiters.pop(ticket, None)
        if ticket.granted:
            self.done(ticket)
        else:
            self.budget.cancel(ticket)

    def done(self, ticket: Ticket) -> None:
        """The request of a granted turn has its answer, whatever it was."""
        self.budget.done(ticket, self._clock())
        if self._waiters:  # else no one to hand a turn to (the next ask looks again)
            self._hand_out()

    async def take_turn(
        self, chat_id: ChatId, priority: Priority, seq: int | None = None
    ) -> Ticket:
        if not self._waiters and seq is None:
            # No queue: the turn is granted now or the message queues as usual. A retry
            # (``seq``) always queues, to keep its place.
            ticket = self.budget.take_now(chat_id, priority, self._clock())
            if ticket is not None:
                return ticket
        ticket, future = self.ask(chat_id, priority, seq)
        try:
            await future
        except BaseException:
            self.cancel(ticket)
            raise
        return ticket

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Requests made inside were given their turn already (by a PacedSender)."""
        token = _turn_held.set(True)
        try:
            yield
        finally:
            _turn_held.reset(token)

    def flood(self, error: TelegramRetryAfter) -> None:
        """Telegram said "retry after": every class waits."""
        self.flood_waits += 1
        self.budget.pause(self._clock() + error.retry_after)
        log.warning("Flood control: all sending paused for %s s", error.retry_after)
        self._hand_out()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _hand_out(self) -> None:
        now = self._clock()
        while True:
            ticket, wake = self.budget.grant(now)
            if ticket is None:
                break
            future = self._waiters.pop(ticket, None)
            if future is None or future.done():
                self.budget.done(ticket, now)  # its sender went away meanwhile
            else:
                future.set_result(None)
        if wake is not None and wake < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            loop = asyncio.get_running_loop()
            self._timer_at = wake
            self._timer = loop.call_later(max(0.0, wake - now), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = float("inf")
        self._hand_out()

    # ------------------------------------------------------------ the middleware

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = budgeted_chat(method)
        if chat_id is None:
            return await make_request(bot, method)
        if _turn_held.get():
            return await self._request(make_request, bot, method)
        priority = current_priority.get()
        if priority != Priority.ANSWER:
            ticket = await self.take_turn(chat_id, priority)
            try:
                return await self._request(make_request, bot, method)
            finally:
                self.done(ticket)
        return await self._answer(make_request, bot, method, chat_id)

    async def _request(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as error:
            self.flood(error)
            raise

    async def _answer(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        chat_id: ChatId,
    ) -> Response[TelegramType]:
        began = self._clock()
        seq: int | None = None
        failures = 0
        while True:
            ticket = await self.take_turn(chat_id, Priority.ANSWER, seq)
            seq = ticket.seq  # a retry keeps its place among the answers
            try:
                return await self._request(make_request, bot, method)
            except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
                if not surely_not_sent(error):
                    raise  # it may have been delivered: not sent twice
                failures += 1
                paused = isinstance(error, TelegramRetryAfter)  # the budget waits by itself
                wait = (
                    float(error.retry_after)
                    if isinstance(error, TelegramRetryAfter)
                    else self.answer_backoff * 2 ** (failures - 1)
                )
                if self._clock() + wait - began > self.answer_patience:
                    log.error(
                        "the answer to update %s (chat %s) could not be sent in %.0f s: %s",
                        answering_update.get(), chat_id, self.answer_patience, error,
                    )  # fmt: skip
                    raise
                log.info(
                    "the answer to update %s (chat %s) goes again in %.1f s: %s",
                    answering_update.get(), chat_id, wait, error,
                )  # fmt: skip
            finally:
                self.done(ticket)
            if not paused:
                await asyncio.sleep(wait)
