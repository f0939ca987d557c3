"""What the bot did, in the Prometheus text format: counts and times, never names or texts.

One :class:`Metrics` per app, on a registry of its own (not prometheus_client's global
one), so that a process or a test can build many apps. Updates are counted as they arrive
(:meth:`Metrics.update_seen`, called by ``bot.middlewares.UpdatesInFlight``), requests by
a middleware of the bot's session (which sees
every request, whoever makes it); figures the database holds (deliveries pending, when each
reminder went out) are read at each scrape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from aiogram.types.update import UpdateTypeLookupError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from bot.delivery.priority import Priority, current_priority
from db.connection import Database
from db.monitoring import pending_deliveries, reminders_sent_since

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
OUTCOMES = ("sent", "rate_limited", "blocked", "rejected", "failed")
# Requests that put a message in a chat (sendChatAction only shows "typing...").
_MESSAGE_METHODS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
# A reminder is due at a set minute; what matters is seconds to a few minutes late.
LATENESS_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800)


def is_message(method: TelegramMethod[Any]) -> bool:
    name = method.__api_method__
    return (name.startswith("send") and name != "sendChatAction") or name in _MESSAGE_METHODS


def outcome_of(error: BaseException | None) -> str:
    """The outcome label of a request that raised ``error`` (None: it succeeded)."""
    if error is None:
        return "sent"
    if isinstance(error, TelegramRetryAfter):
        return "rate_limited"
    if isinstance(error, TelegramForbiddenError):
        return "blocked"
    if isinstance(error, TelegramNetworkError | TelegramServerError):
        return "failed"
    if isinstance(error, TelegramAPIError):
        return "rejected"  # a 400 and the like: Telegram will not take it as it is
    return "failed"


class Metrics:
    def __init__(self, db: Database, started: datetime) -> None:
        self.db = db
        self.started = started  # reminders sent from this instant on are observed
        self.registry = CollectorRegistry()
        # Counted on every update and every message: plain ints there, read at each scrape
        # (_HotCounts). prometheus_client's counters lock at every inc(), which cost an
        # update ~2% of its time (BENCHMARKS.md).
        self.update_counts: dict[str, int] = {}
        self.message_counts: dict[tuple[Priority, str], int] = {
            (priority, outcome): 0 for priority in Priority for outcome in OUTCOMES
        }
        self.registry.register(_HotCounts(self))
        self.flood = Counter(
            "forum_bot_telegram_429", "Bot API answers 429 Too Many Requests, any method",
            registry=self.registry,
        )  # fmt: skip
        self.pending = Gauge(
            "forum_bot_deliveries_pending",
            "Reminders, briefings, notices and broadcast messages recorded and not sent yet",
            registry=self.registry,
        )
        self.lateness = Histogram(
            "forum_bot_reminder_lateness_seconds",
            "Seconds from a reminder's due time to Telegram's answer to it",
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )
        self.last_update: float | None = None  # time.monotonic() of the last update
        self._observed: set[int] = set()  # reminder deliveries already in the histogram
        self.request_counter = _RequestCounter(self)

    def update_seen(self, event: TelegramObject) -> None:
        """An update arrived (from a group too): when, and one more of its type."""
        self.last_update = time.monotonic()
        try:
            kind = event.event_type if isinstance(event, Update) else "unknown"
        except UpdateTypeLookupError:  # a type newer than this aiogram: aiogram warns of it
            kind = "unknown"
        self.update_counts[kind] = self.update_counts.get(kind, 0) + 1

    def seconds_since_last_update(self) -> float | None:
        return None if self.last_update is None else time.monotonic() - self.last_update

    async def refresh(self) -> None:
        """Read what the database holds into the gauges and the histogram."""
        self.pending.set(await pending_deliveries(self.db))
        for delivery_id, seconds in await reminders_sent_since(self.db, self.started):
            if delivery_id not in self._observed:
                self._observed.add(delivery_id)
                self.lateness.observe(max(0.0, seconds))

    async def render(self) -> bytes:
        """The exposition text; the database's figures as they are now."""
        try:
            await self.refresh()
        except Exception:  # a broken database must not hide the counters (healthz says why)
            log.warning("metrics: could not read the database", exc_info=True)
        return generate_latest(self.registry)


class _HotCounts(Collector):
    """The counts of updates and messages, as Prometheus counters, read at each scrape
    (the registry and the counting share the event loop's thread)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        updates = CounterMetricFamily(
            "forum_bot_updates_handled", "Updates handled, by type", labels=["type"]
        )
        for kind, count in sorted(self.metrics.update_counts.items()):
            updates.add_metric([kind], count)
        yield updates
        messages = CounterMetricFamily(
            "forum_bot_messages_sent",
            "Requests that send a message, by priority class and outcome",
            labels=["priority", "outcome"],
        )
        for (priority, outcome), count in self.metrics.message_counts.items():
            messages.add_metric([priority.name.lower(), outcome], count)
        yield messages


class _RequestCounter(BaseRequestMiddleware):
    """Session middleware: the outcome of every request that sends a message, by the
    priority class the sender declared (:func:`bot.delivery.priority.sending_as`)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        send: NextRequestMiddlewareType[TelegramType],  # the rest of the chain, then the wire
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        priority = current_priority.get()
        try:
            response = await send(bot, method)
        except Exception as error:
            self._count(method, priority, error)
            raise
        self._count(method, priority, None)
        return response

    def _count(
        self, method: TelegramMethod[Any], priority: Priority, error: Exception | None
    ) -> None:
        if isinstance(error, TelegramRetryAfter):
            self.metrics.flood.inc()
        if is_message(method):
            self.metrics.message_counts[priority, outcome_of(error)] += 1
