"""The sender of pushes (reminders, briefings, notices, broadcasts): turns, retries, outcomes.

Each message takes its turn in the one outbound budget (:mod:`bot.delivery.outbound`)
in its class, and the sender decides what a failure means:

- a 429, a 5xx answer or a connection that was never made did not deliver the message: it
  goes again (a 429 after ``retry_after``, the others after a growing backoff) for as long
  as the caller's ``keep_trying()`` says (a reminder until shortly before its event, a
  broadcast until it is stopped); then it is ``failed``;
- a timeout or a dropped connection after the request left may have delivered it: the
  outcome is ``uncertain`` and it is not sent again (a second copy is worse than a gap
  that the delivery log shows);
- 403 is ``blocked``; any other refusal is ``failed`` at once.

The caller's ``leaving()`` runs when the turn has come, right before each request, so
that a row is marked as being sent only while its request is actually in flight, and
``not_sent()`` after a failure that did not deliver it, before waiting to try again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod

from bot.delivery.outbound import Outbound, surely_not_sent
from bot.delivery.priority import Priority, current_priority, sending_as

logger = logging.getLogger(__name__)

MethodFactory = Callable[[], TelegramMethod[Any]]
Hook = Callable[[], Awaitable[Any]]
BACKOFF = 0.5  # seconds before the first retry after a 5xx or a refused connection
MAX_BACKOFF = 10.0
UNCERTAIN = "no answer after the request was sent: may or may not have been delivered"


def _always() -> bool:
    return True


def backoff_delay(failures: int, base: float = BACKOFF, ceiling: float = MAX_BACKOFF) -> float:
    """Seconds to wait after the ``failures``-th transient failure in a row."""
    return min(ceiling, base * 2 ** (failures - 1))


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: Literal["sent", "blocked", "failed", "uncertain", "not taken"]
    message_id: int | None = None
    error: str | None = None
    result: Any = None


@dataclass(frozen=True, slots=True)
class _Retry:
    reason: str
    flood: bool = False


_NO_RETRY = _Retry("")


class SenderClosed(Exception):
    """The sender shut down before this message was attempted: it was not sent."""


@dataclass(slots=True)
class SenderStats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0
    retried_429: int = 0
    retried_network: int = 0


class PacedSender:
    """Send pushes within the outbound budget; see the module's docstring and `send`."""

    def __init__(
        self,
        bot: Bot,
        outbound: Outbound,
        *,
        backoff: float = BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self.outbound = outbound
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self.stats = SenderStats()
        self._closed = asyncio.Event()
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._drained: asyncio.Future[None] | None = None

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def send(
        self,
        chat_id: int | str,
        method: TelegramMethod[Any] | MethodFactory,
        *,
        priority: Priority | None = None,
        keep_trying: Callable[[], bool] = _always,
        leaving: Hook | None = None,
        not_sent: Hook | None = None,
    ) -> SendOutcome:
        """Send ``method`` (or what the factory makes at each attempt) to ``chat_id``.

        Never raises Telegram's errors. Raises SenderClosed if the sender shut down before
        the message went (or between two attempts, after ``not_sent``). If ``leaving()``
        returns False the message is not sent and the outcome is ``not taken``.
        ``priority`` is the class of the context (:func:`sending_as`) if not given, and
        bulk if that is an answer's: a push is never an answer.
        """
        if priority is None:
            priority = current_priority.get()
            if priority == Priority.ANSWER:
                priority = Priority.BULK
        seq: int | None = None
        failures = 0
        retry = _NO_RETRY
        while True:
            if self.closed:
                raise SenderClosed
            if failures and not keep_trying():
                outcome = SendOutcome(
                    "failed", error=f"gave up after {failures} tries: {retry.reason}"
                )
                logger.warning("Sending to %s given up: %s", chat_id, retry.reason)
                self._count(outcome)
                return outcome
            ticket, turn = self.outbound.ask(chat_id, priority, seq)
            seq = ticket.seq
            try:
                await self._unless_closed(turn)
                if leaving is not None and not await leaving():
                    return SendOutcome("not taken")
                made = method() if callable(method) else method
                outcome, retry = await self._attempt(made, priority)
            finally:
                self.outbound.cancel(ticket)  # done() if it was granted
            if outcome is not None:
                self._count(outcome)
                return outcome
            failures += 1
            if not_sent is not None:
                await not_sent()
            if not retry.flood and keep_trying():  # a 429 paused the whole budget already
                await self._unless_closed(
                    self._sleep(backoff_delay(failures, self._backoff, self._max_backoff))
                )

    async def _attempt(
        self, method: TelegramMethod[Any], priority: Priority
    ) -> tuple[SendOutcome | None, _Retry]:
        """One request in its own task (so that close() can bound it): the outcome, or None
        and why to try again."""
        with sending_as(priority), self.outbound.holding():
            task = asyncio.ensure_future(self._bot(method))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise  # the caller was cancelled; the request runs on until close() ends it
            return SendOutcome("uncertain", error="interrupted by shutdown"), _NO_RETRY
        except TelegramRetryAfter as error:
            self.stats.retried_429 += 1
            return None, _Retry(error.message, flood=True)
        except TelegramForbiddenError as error:
            return SendOutcome("blocked", error=error.message), _NO_RETRY
        except (TelegramServerError, TelegramNetworkError) as error:
            if surely_not_sent(error):
                self.stats.retried_network += 1
                return None, _Retry(error.message)
            logger.warning("Sending to %s: %s; %s", method_chat(method), error.message, UNCERTAIN)
            return SendOutcome("uncertain", error=f"{error.message}: {UNCERTAIN}"), _NO_RETRY
        except (TelegramAPIError, AiogramError) as error:
            text = error.message if isinstance(error, TelegramAPIError) else str(error)
            logger.warning("Sending to %s failed: %s", method_chat(method), text)
            return SendOutcome("failed", error=text), _NO_RETRY
        message_id = getattr(result, "message_id", None)
        return SendOutcome("sent", message_id=message_id, result=result), _NO_RETRY

    async def _unless_closed(self, waiting: Awaitable[Any]) -> None:
        """Wait for ``waiting`` unless the sender closes first (then SenderClosed)."""
        future = asyncio.ensure_future(waiting)
        if self.closed:
            future.cancel()
            raise SenderClosed
        closing = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({future, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
        if not future.done():
            future.cancel()
            raise SenderClosed
        future.result()

    def _count(self, outcome: SendOutcome) -> None:
        if outcome.status in ("sent", "blocked", "failed", "uncertain"):
            setattr(self.stats, outcome.status, getattr(self.stats, outcome.status) + 1)

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking messages: those waiting for a turn or a retry get SenderClosed, the
        requests in flight get up to ``timeout`` seconds, after which they are cancelled
        (``uncertain``: whether Telegram got them is unknown). Calling it again waits for
        the same drain."""
        if self._drained is None:
            self._closed.set()
            self._drained = asyncio.ensure_future(self._drain(timeout))
        await asyncio.shield(self._drained)

    async def _drain(self, timeout: float) -> None:
        if not self._in_flight:
            return
        _, late = await asyncio.wait(set(self._in_flight), timeout=timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


def method_chat(method: TelegramMethod[Any]) -> Any:
    return getattr(method, "chat_id", None)
