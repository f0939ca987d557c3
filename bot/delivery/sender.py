"""The one paced sender for messages to many people: reminders, briefings, notices, broadcasts.

Telegram allows a bot about 30 messages a second overall and about one a second per chat. Every
fan-out goes through one `PacedSender` so that they share those limits: messages leave in the
order they were handed in, evenly spaced at `rate` per second, with up to `max_in_flight`
requests overlapping, and a chat that has to wait for its interval does not hold up the others.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod

logger = logging.getLogger(__name__)

# Flood control says "wait and retry"; a message refused more often than this is given up.
_MAX_FLOOD_RETRIES = 8
# How late (in intervals) the pacer may run and still keep its schedule. Keeping it absorbs the
# timer's small lateness (which would otherwise lower the rate) without allowing a burst.
_CATCH_UP = 0.25


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: Literal["sent", "blocked", "failed"]
    message_id: int | None = None
    error: str | None = None
    result: Any = None


class SenderClosed(Exception):
    """The sender shut down before this message was attempted: it was not sent."""


@dataclass(slots=True)
class SenderStats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried_429: int = 0
    retried_network: int = 0


@dataclass(slots=True)
class _Job:
    seq: int
    chat_id: int
    method: TelegramMethod[Any]
    future: asyncio.Future[SendOutcome]
    network_failures: int = 0
    flood_retries: int = 0
    last_error: str | None = None


@dataclass(slots=True)
class _Chat:
    jobs: deque[_Job] = field(default_factory=deque)
    busy: bool = False  # a message to this chat is in flight
    queued: bool = False  # the chat is in the ready heap or the waiting heap
    ready_at: float = 0.0  # the earliest time of its next message


class PacedSender:
    """Send Telegram methods to many chats within Telegram's rate limits; see `send`."""

    def __init__(
        self,
        bot: Bot,
        *,
        rate: float = 28.0,
        per_chat_interval: float = 1.0,
        max_in_flight: int = 16,
        max_retries: int = 4,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._interval = 1.0 / rate
        self._per_chat_interval = per_chat_interval
        self._max_in_flight = max_in_flight
        self._max_retries = max_retries
        self._backoff = backoff
        self._clock = clock
        self._sleep = sleep
        self.stats = SenderStats()
        self._seq = itertools.count()
        self._chats: dict[int, _Chat] = {}
        self._ready: list[tuple[int, int]] = []  # (seq of the chat's first job, chat_id)
        self._waiting: list[tuple[float, int]] = []  # (ready_at, chat_id)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")
        self._wake: asyncio.Event | None = None
        self._pump: asyncio.Task[None] | None = None
        self._closed = False
        self._drained: asyncio.Future[None] | None = None

    async def send(self, chat_id: int, method: TelegramMethod[Any]) -> SendOutcome:
        """Send `method` (addressed to `chat_id`) when its turn comes; never raises API errors.

        Raises SenderClosed if the sender shut down before the message was attempted.
        """
        if self._closed:
            raise SenderClosed
        loop = asyncio.get_running_loop()
        if self._pump is None:
            self._wake = asyncio.Event()
            self._pump = loop.create_task(self._run(), name="paced-sender")
        job = _Job(next(self._seq), chat_id, method, loop.create_future())
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.jobs.append(job)
        self._enqueue(chat_id, chat)
        self._poke()
        # A caller that gives up cancels its future; the pump then skips the job.
        return await job.future

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking messages, refuse the queued ones, and let those in flight finish.

        Callers waiting for a turn get SenderClosed; requests in flight get up to `timeout`
        seconds, after which they are cancelled and reported as failed. Call it before the
        bot's session closes. Calling it again waits for the same drain.
        """
        if self._drained is None:
            self._closed = True
            self._drained = asyncio.ensure_future(self._drain(timeout))
        await asyncio.shield(self._drained)

    async def _drain(self, timeout: float) -> None:
        for chat in self._chats.values():
            while chat.jobs:
                self._refuse(chat.jobs.popleft())
        self._ready.clear()
        self._waiting.clear()
        if self._pump is not None:
            self._poke()
            await self._pump
        if self._in_flight:
            _, late = await asyncio.wait(self._in_flight, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    # the pump: one task that hands out turns

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._closed:
            self._wake.clear()
            now = self._clock()
            if len(self._in_flight) >= self._max_in_flight:
                await self._wait(None)
                continue
            if self._paused_until > now:
                await self._wait(self._paused_until - now)
                continue
            while self._waiting and self._waiting[0][0] <= now:
                _, chat_id = heapq.heappop(self._waiting)
                heapq.heappush(self._ready, (self._chats[chat_id].jobs[0].seq, chat_id))
            if not self._ready:
                await self._wait(self._waiting[0][0] - now if self._waiting else None)
                continue
            if self._next_slot < now - self._interval * _CATCH_UP:
                self._next_slot = now  # idle, or far behind: start a fresh schedule
            if self._next_slot > now:
                await self._wait(self._next_slot - now)
                continue
            job = self._take()
            if job is not None:
                self._next_slot += self._interval
                task = asyncio.create_task(self._attempt(job))
                self._in_flight.add(task)

    def _take(self) -> _Job | None:
        """The first live job of the chat whose turn it is, or None if that chat has none."""
        _, chat_id = heapq.heappop(self._ready)
        chat = self._chats[chat_id]
        chat.queued = False
        while chat.jobs:
            job = chat.jobs.popleft()
            if not job.future.done():
                chat.busy = True
                return job
        return None

    async def _wait(self, delay: float | None) -> None:
        """Sleep `delay` seconds (forever if None), or less if something changes."""
        assert self._wake is not None
        waiters = {asyncio.ensure_future(self._wake.wait())}
        if delay is not None:
            waiters.add(asyncio.ensure_future(self._sleep(delay)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _enqueue(self, chat_id: int, chat: _Chat) -> None:
        if chat.busy or chat.queued or not chat.jobs:
            return
        chat.queued = True
        if chat.ready_at <= self._clock():
            heapq.heappush(self._ready, (chat.jobs[0].seq, chat_id))
        else:
            heapq.heappush(self._waiting, (chat.ready_at, chat_id))

    # one attempt, in its own task

    async def _attempt(self, job: _Job) -> None:
        try:
            outcome, retry_in = await self._try(job)
        except asyncio.CancelledError:
            # close() ran out of time; whether Telegram got the message is unknown.
            self.stats.failed += 1
            self._resolve(job, SendOutcome("failed", error="interrupted by shutdown"))
            raise
        except Exception as error:  # a bug, not a Telegram answer: the caller should see it
            logger.exception("Unexpected error sending to %s", job.chat_id)
            if not job.future.done():
                job.future.set_exception(error)
            self._finish(job, SendOutcome("failed", error=repr(error)))
        else:
            self._finish(job, outcome, retry_in)
        finally:
            self._in_flight.discard(asyncio.current_task())  # type: ignore[arg-type]
            self._poke()

    async def _try(self, job: _Job) -> tuple[SendOutcome | None, float]:
        """Make one request: the outcome, or None and the delay before trying again."""
        try:
            result = await self._bot(job.method)
        except TelegramRetryAfter as error:
            self._paused_until = max(self._paused_until, self._clock() + error.retry_after)
            logger.warning("Flood control: all sending paused for %s s", error.retry_after)
            job.flood_retries += 1
            job.last_error = error.message
            if job.flood_retries > _MAX_FLOOD_RETRIES:
                return self._failed(job, error), 0.0
            self.stats.retried_429 += 1
            return None, 0.0
        except TelegramForbiddenError as error:
            self.stats.blocked += 1
            return SendOutcome("blocked", error=error.message), 0.0
        except TelegramEntityTooLarge as error:  # a network error by type, but final
            return self._failed(job, error), 0.0
        except (TelegramNetworkError, TelegramServerError) as error:
            job.network_failures += 1
            job.last_error = error.message
            if job.network_failures > self._max_retries:
                return self._failed(job, error), 0.0
            self.stats.retried_network += 1
            return None, self._backoff * 2 ** (job.network_failures - 1)
        except (TelegramAPIError, AiogramError) as error:
            return self._failed(job, error), 0.0
        self.stats.sent += 1
        message_id = getattr(result, "message_id", None)
        return SendOutcome("sent", message_id=message_id, result=result), 0.0

    def _finish(self, job: _Job, outcome: SendOutcome | None, retry_in: float = 0.0) -> None:
        chat = self._chats[job.chat_id]
        chat.busy = False
        # Spacing counts from the end of the previous request, so Telegram sees the gap too.
        chat.ready_at = self._clock() + max(self._per_chat_interval, retry_in)
        if outcome is not None:
            self._resolve(job, outcome)
        elif self._closed:
            self._refuse(job)
        else:
            chat.jobs.appendleft(job)
        self._enqueue(job.chat_id, chat)

    def _failed(self, job: _Job, error: Exception) -> SendOutcome:
        self.stats.failed += 1
        text = error.message if isinstance(error, TelegramAPIError) else str(error)
        logger.warning("Sending to %s failed: %s", job.chat_id, text)
        return SendOutcome("failed", error=text)

    def _refuse(self, job: _Job) -> None:
        if job.network_failures:
            # It may have reached Telegram before the connection broke: report, don't requeue.
            self.stats.failed += 1
            self._resolve(job, SendOutcome("failed", error=job.last_error))
        elif not job.future.done():
            job.future.set_exception(SenderClosed())

    @staticmethod
    def _resolve(job: _Job, outcome: SendOutcome) -> None:
        if not job.future.done():
            job.future.set_result(outcome)
