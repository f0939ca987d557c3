"""A broadcast's workers: each takes the next pending recipient, hands the delegate's copy
to the paced sender (bulk, the lowest class of the outbound budget) and records the
outcome. A recipient is marked 'sending' only when its request leaves (see
:mod:`bot.delivery.broadcasts`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from functools import partial
from typing import Any

from aiogram.utils.i18n import I18n

from bot.delivery.broadcast_content import delegate_copy
from bot.delivery.priority import Priority
from bot.delivery.sender import PacedSender, SenderClosed
from db import broadcasts as store
from db import delegates
from db.broadcasts import Broadcast, Recipient
from db.connection import Database
from schedule.clock import Clock

log = logging.getLogger(__name__)


class BroadcastWorkers:
    def __init__(
        self, db: Database, sender: PacedSender, i18n: I18n, clock: Clock, *, window: int
    ) -> None:
        self._db = db
        self._sender = sender
        self._i18n = i18n
        self._clock = clock
        self._window = window
        self._stopping = False

    def of(self, broadcast: Broadcast) -> list[Coroutine[Any, Any, None]]:
        """``window`` workers over one cursor of the broadcast's pending recipients."""
        cursor = _Cursor(self._db, broadcast.id)
        return [self._work(broadcast, cursor) for _ in range(self._window)]

    def stop(self) -> None:
        """At shutdown: no worker takes another recipient, and an outage is no longer
        waited out (the recipient stays pending, for the next start)."""
        self._stopping = True

    async def _work(self, broadcast: Broadcast, cursor: _Cursor) -> None:
        while not self._stopping:
            recipient = await cursor.next()
            if recipient is None:
                return
            now = self._clock
            if recipient.telegram_id is None:
                await store.record(
                    self._db,
                    broadcast.id,
                    recipient.delegate_id,
                    "failed",
                    now(),
                    error="no longer registered",
                )
                continue
            delegate_id = recipient.delegate_id
            try:
                outcome = await self._sender.send(
                    recipient.telegram_id,
                    delegate_copy(broadcast, recipient, self._i18n),
                    priority=Priority.BULK,
                    # An outage is waited out until the broadcast stops (a shutdown: the
                    # recipient is then pending, for the next start).
                    keep_trying=lambda: not self._stopping,
                    leaving=partial(store.take, self._db, broadcast.id, delegate_id),
                    not_sent=partial(store.release, self._db, broadcast.id, delegate_id),
                )
            except SenderClosed:
                return  # not taken, or released before waiting: pending for the next start
            except Exception as error:  # a bug in the request; recorded, the others go on
                log.exception("broadcast %s to %s", broadcast.id, delegate_id)
                outcome_status, message_id, reason = "failed", None, repr(error)
            else:
                if outcome.status == "not taken":
                    continue  # another run of this broadcast has it
                outcome_status = "interrupted" if outcome.status == "uncertain" else outcome.status
                message_id, reason = outcome.message_id, outcome.error
            await store.record(
                self._db,
                broadcast.id,
                delegate_id,
                outcome_status,  # type: ignore[arg-type]
                now(),
                message_id=message_id,
                error=reason,
            )
            if outcome_status == "blocked":
                await delegates.mark_blocked(self._db, delegate_id, now())


class _Cursor:
    """Hands a broadcast's pending recipients to its workers one by one, in id order,
    without marking them: a recipient is marked only when its request leaves."""

    def __init__(self, db: Database, broadcast_id: int) -> None:
        self._db = db
        self._broadcast_id = broadcast_id
        self._after = 0
        self._lock = asyncio.Lock()

    async def next(self) -> Recipient | None:
        async with self._lock:
            recipient = await store.next_pending(self._db, self._broadcast_id, self._after)
            if recipient is not None:
                self._after = recipient.delegate_id
            return recipient
