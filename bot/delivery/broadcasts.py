"""Running broadcasts: through the one paced sender, with progress, a report and resumption.

A broadcast is stored (content, audience, one row per recipient) before its first message.
`window` workers per broadcast each take the next pending recipient, hand the copy to the
sender (bulk, the lowest class of the outbound budget) and record the outcome. A recipient
is marked 'sending' only when its request leaves, so a crash leaves at most the requests in
flight in doubt ('interrupted', never resent); an outage is waited out (429, 5xx, no
connection: tried again) until the broadcast stops. Two broadcasts at once interleave in
the same sender, within the same overall rate.

Here the service: store, launch, resume and stop broadcasts. The workers, how a broadcast
shows (its copies, Telegram's limits) and the organiser's view (progress, report) are in
``broadcast_workers``, ``broadcast_content`` and ``broadcast_report``; the organiser's
preview (handlers/broadcast.py) still finds ``content_method``, ``visible_length`` and
``content_limit`` here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.delivery.announce_chat import AnnounceChat
from bot.delivery.broadcast_content import content_limit as content_limit
from bot.delivery.broadcast_content import content_method
from bot.delivery.broadcast_content import visible_length as visible_length
from bot.delivery.broadcast_report import BroadcastReports
from bot.delivery.broadcast_workers import BroadcastWorkers
from bot.delivery.priority import Priority, sending_as
from bot.delivery.sender import PacedSender
from db import audit, delegates
from db import broadcasts as store
from db.broadcasts import Content, Counts
from db.connection import Database
from schedule.clock import Clock

log = logging.getLogger(__name__)

INTERRUPTED_NOTE = "interrupted by a restart: may or may not have been delivered"


class BroadcastService:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        sender: PacedSender,
        i18n: I18n,
        clock: Clock,
        *,
        window: int = 8,
        progress_every: float = 3.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        chat: AnnounceChat | None = None,
    ) -> None:
        self._db = db
        self.chat = chat  # the delegation's group or channel, if configured
        self._remind_lock = asyncio.Lock()
        self._sender = sender
        self._clock = clock
        self.workers = BroadcastWorkers(db, sender, i18n, clock, window=window)
        self.reports = BroadcastReports(db, bot, i18n, progress_every=progress_every, sleep=sleep)
        self._tasks: set[asyncio.Task[Counts]] = set()

    # ------------------------------------------------------------------ lifecycle

    async def create(
        self,
        *,
        organiser_id: int,
        content: Content,
        audience: str | None,
        confirm: bool,
        chat_id: int | None = None,
        delegate_ids: Sequence[int] | None = None,
        post_in_chat: bool = False,
    ) -> int:
        """Store a broadcast to the audience's registered delegates (or to `delegate_ids`),
        and, if asked and configured, its post in the delegation's chat."""
        if delegate_ids is None:
            delegate_ids = [d.id for d in await self.audience(audience)]
        return await store.create(
            self._db,
            organiser_id=organiser_id,
            content=content,
            audience=audience,
            confirm=confirm,
            delegate_ids=delegate_ids,
            now=self._clock(),
            chat_id=chat_id,
            post_in_chat=post_in_chat and self.chat is not None,
        )

    async def open(
        self,
        *,
        organiser_id: int,
        content: Content,
        audience: str | None,
        confirm: bool,
        post_in_chat: bool = False,
    ) -> tuple[int, int]:
        """An organiser's confirmed preview, stored and logged; :meth:`launch` sends it.
        Returns (broadcast id, number of recipients)."""
        broadcast_id = await self.create(
            organiser_id=organiser_id,
            content=content,
            audience=audience,
            confirm=confirm,
            chat_id=organiser_id,
            post_in_chat=post_in_chat,
        )
        total = (await store.counts(self._db, broadcast_id)).total
        detail = f"#{broadcast_id} to {audience or 'everyone'}: {total} recipients"
        await audit.log_action(self._db, organiser_id, "broadcast", detail, self._clock())
        return broadcast_id, total

    async def audience(self, group: str | None) -> list[Any]:
        """The registered delegates a broadcast to `group` (None: everyone) reaches."""
        return await delegates.list_delegates(self._db, registered_only=True, group=group)

    def launch(self, broadcast_id: int) -> asyncio.Task[Counts]:
        """Run the broadcast in the background (the handler answers at once)."""
        # Bulk, whoever launches it: the task would otherwise inherit the handler's class.
        with sending_as(Priority.BULK):
            task = asyncio.create_task(self.run(broadcast_id), name=f"broadcast-{broadcast_id}")
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[Counts]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("broadcast task failed", exc_info=task.exception())

    async def join(self) -> None:
        """Wait for every running broadcast (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def start(self) -> None:
        """At the app's start: carry on with the broadcasts a stop interrupted."""
        await self.resume()

    async def resume(self) -> None:
        """At start: settle rows a crash left in doubt, then resume unfinished broadcasts."""
        for broadcast_id, delegate_id in await store.interrupt_stale(self._db, INTERRUPTED_NOTE):
            log.warning(
                "broadcast %s: delegate %s was being sent when the bot stopped; not resent",
                broadcast_id,
                delegate_id,
            )
        for broadcast in await store.unfinished(self._db):
            log.info("resuming broadcast %s", broadcast.id)
            self.launch(broadcast.id)

    async def stop(self) -> None:
        """At shutdown: drain the sender (in-flight finish, the rest stay pending), then wait."""
        self.workers.stop()
        await self._sender.close()
        await self.join()

    # ------------------------------------------------------------------ running

    async def run(self, broadcast_id: int) -> Counts:
        """Send to every pending recipient; report at the end. Returns the final counts."""
        with sending_as(Priority.BULK):
            return await self._run(broadcast_id)

    async def _run(self, broadcast_id: int) -> Counts:
        broadcast = await store.get(self._db, broadcast_id)
        if broadcast is None or broadcast.status != "sending":
            return await store.counts(self._db, broadcast_id)
        reports = self.reports
        lang = await reports.organiser_language(broadcast.organiser_id)
        progress = await reports.post_progress(broadcast, lang)
        ticker = asyncio.create_task(reports.tick(broadcast, progress, lang))
        work = self.workers.of(broadcast)
        if self.chat is not None:
            # No "Received" button there: a group cannot confirm.
            copy = content_method(broadcast.content, self.chat.chat_id)  # type: ignore[arg-type]
            work.append(self.chat.post_broadcast(broadcast.id, copy))
        try:
            await asyncio.gather(*work)
        finally:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
        counts = await store.counts(self._db, broadcast_id)
        if counts.pending or counts.sending:
            # Stopped by a shutdown: the rest goes at the next start.
            await reports.edit(broadcast, progress, reports.paused_text(broadcast, counts, lang))
            return counts
        await store.finish(self._db, broadcast_id, self._clock())
        await reports.edit(broadcast, progress, reports.progress_text(broadcast, counts, lang))
        if broadcast.chat_id is not None:
            await reports.send_report(broadcast_id, broadcast.chat_id, lang)
        return counts

    # ------------------------------------------------------------------ the organiser's view

    async def report(
        self, broadcast_id: int, lang: str
    ) -> tuple[list[str], InlineKeyboardMarkup | None]:
        """The report's messages (each under Telegram's limit) and its buttons."""
        return await self.reports.report(broadcast_id, lang)

    async def send_report(self, broadcast_id: int, chat_id: int, lang: str) -> None:
        await self.reports.send_report(broadcast_id, chat_id, lang)

    async def remind_unconfirmed(
        self, broadcast_id: int, *, organiser_id: int, chat_id: int | None
    ) -> int | None:
        """A reminder of the same message to those who have not confirmed; its id, or None
        when there is nobody to remind (or no such broadcast)."""
        original = await store.get(self._db, broadcast_id)
        if original is None or not original.confirm:
            return None
        # A double tap (or two organisers) must not remind the same people twice: the check
        # and the creation go together, and those a reminder is still reaching are left out.
        async with self._remind_lock:
            busy = await store.being_reminded(self._db, original.id)
            pending = [
                r for r in await store.unconfirmed(self._db, original.id)
                if r.delegate_id not in busy
            ]  # fmt: skip
            if not pending:
                return None
            content = Content(
                original.content.kind,
                original.content.html,
                original.content.file_id,
                reminder_of=original.id,
            )
            reminder_id = await self.create(
                organiser_id=organiser_id,
                content=content,
                audience=original.audience,
                confirm=True,
                chat_id=chat_id,
                delegate_ids=[r.delegate_id for r in pending],
            )
        detail = f"#{reminder_id}: reminder of #{broadcast_id}"
        await audit.log_action(self._db, organiser_id, "broadcast", detail, self._clock())
        self.launch(reminder_id)
        return reminder_id


async def broadcast_and_wait(
    service: BroadcastService,
    *,
    organiser_id: int,
    content: Content,
    delegate_ids: Sequence[int] | None = None,
    audience: str | None = None,
    confirm: bool = False,
    chat_id: int | None = None,
) -> tuple[int, Counts]:
    """Store a broadcast for these delegates (default: the audience) and run it to the end
    through the sender: one call for benchmarks and tests. Returns (id, final counts)."""
    broadcast_id = await service.create(
        organiser_id=organiser_id,
        content=content,
        audience=audience,
        confirm=confirm,
        chat_id=chat_id,
        delegate_ids=delegate_ids,
    )
    return broadcast_id, await service.run(broadcast_id)
