"""The courier: the messages of one notifier run, each recorded, sent and settled once.

Every message is recorded as pending in the delivery table in one transaction, then sent
through the paced sender, one queue per delegate; a row is taken ('sending') only while
its request is in flight (the sender's ``leaving`` hook), so a stop leaves at most those
in doubt, recorded as interrupted and never resent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.delivery.pins import PinAfterSending
from bot.delivery.priority import Priority, sending_as
from bot.delivery.sender import UNCERTAIN, PacedSender, SenderClosed
from db import delegates, deliveries
from db.connection import Database
from db.deliveries import Item
from schedule.clock import Clock
from schedule.model import Delegate

log = logging.getLogger(__name__)
# Fan-out tasks waiting in the sender at once (memory, not doubt: a row is marked
# 'sending' only while its request is in flight, by the sender's ``leaving`` hook).
SENDING_WINDOW = 32
TAKEN_ELSEWHERE = "taken elsewhere"  # a concurrent run sent it; counted there
INTERRUPTED = "interrupted"  # an uncertain outcome: may or may not have been delivered

Rendered = tuple[str, InlineKeyboardMarkup | None]
Render = Callable[[], Rendered]


@dataclass(frozen=True, slots=True)
class Push:
    """One message of a fan-out: its row, whom it goes to, how it looks, its class, and
    until when an outage is waited out (on the notifier's clock)."""

    item: Item
    person: Delegate
    render: Render
    priority: Priority
    retry_until: datetime


@dataclass
class FanOut:
    """What one run delivered."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    late: int = 0
    pending: int = 0  # refused by a sender shutting down: tried again at the next start


class Courier:
    def __init__(self, *, db: Database, sender: PacedSender, i18n: I18n, clock: Clock) -> None:
        self.db = db
        self.sender = sender
        self.i18n = i18n
        self.clock = clock
        self._window = asyncio.Semaphore(SENDING_WINDOW)

    async def fan_out(self, work: list[Push], now: datetime, result: FanOut) -> None:
        """Record every item as pending in one transaction, then send them all through the
        sender; a row is taken ('sending') only when its request leaves."""
        if not work:
            return
        ids = await deliveries.record(self.db, [push.item for push in work], now)
        # One queue per delegate (Telegram spaces a chat's messages anyway): after a 403 the
        # rest of that delegate's messages are not attempted.
        queues: dict[int, list[tuple[int, Push]]] = {}
        for delivery_id, push in zip(ids, work, strict=True):
            if delivery_id is not None:
                queues.setdefault(push.person.id, []).append((delivery_id, push))
        for statuses in await asyncio.gather(*(self._send_queue(q) for q in queues.values())):
            for status in statuses:
                if status == INTERRUPTED:
                    result.failed += 1
                elif status != TAKEN_ELSEWHERE:
                    setattr(result, status, getattr(result, status) + 1)

    async def _send_queue(self, queue: list[tuple[int, Push]]) -> list[str]:
        statuses: list[str] = []
        for delivery_id, push in queue:
            if statuses and statuses[-1] == "blocked":
                await deliveries.finish(
                    self.db, delivery_id, "blocked", self.clock(), "not attempted: blocked"
                )
                statuses.append("blocked")
                continue
            async with self._window:
                statuses.append(await self._deliver(delivery_id, push))
        return statuses

    async def _deliver(self, delivery_id: int, push: Push) -> str:
        person = push.person
        assert person.telegram_id is not None
        chat_id = person.telegram_id

        def message() -> SendMessage:
            # Rendered at each attempt: "in 15 minutes" as of the moment it goes.
            with self.i18n.context(), self.i18n.use_locale(person.language or "en"):
                text, markup = push.render()
            return SendMessage(chat_id=chat_id, text=text, reply_markup=markup)

        try:
            with sending_as(push.priority):
                outcome = await self.sender.send(
                    chat_id,
                    message,
                    priority=push.priority,
                    keep_trying=lambda: self.clock() < push.retry_until,
                    leaving=partial(deliveries.take, self.db, delivery_id),
                    not_sent=partial(deliveries.release, self.db, delivery_id),
                )
        except SenderClosed:
            return "pending"  # never taken, or released before waiting to try again
        except Exception as error:  # a bug in rendering: recorded, never retried blindly
            log.exception("delivery %s to delegate %s failed", delivery_id, person.id)
            await deliveries.finish(self.db, delivery_id, "failed", self.clock(), repr(error))
            return "failed"
        if outcome.status == "not taken":
            return TAKEN_ELSEWHERE
        if outcome.status == "uncertain":
            log.warning(
                "%s %s to delegate %s: %s; not resent",
                push.item.kind, push.item.key, person.id, outcome.error or UNCERTAIN,
            )  # fmt: skip
            await deliveries.finish(
                self.db, delivery_id, "interrupted", self.clock(), outcome.error or UNCERTAIN
            )
            return INTERRUPTED
        if outcome.status == "blocked":
            await delegates.mark_blocked(self.db, person.id, self.clock())
        await deliveries.finish(self.db, delivery_id, outcome.status, self.clock(), outcome.error)
        if outcome.status == "sent" and isinstance(push.render, PinAfterSending):
            await push.render.after_sent(outcome.message_id)
        return outcome.status
