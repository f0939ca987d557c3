"""The notifier: reminders, morning briefings and change notices, each exactly once.

The database says what is due (``schedule.reminders``, ``schedule.briefings`` and
``schedule.departures`` over the stored programme and ``db.deliveries``); APScheduler only
wakes :meth:`Notifier.run_due` at each distinct due instant. Jobs carry the instant as
text, nothing else, and are rebuilt from the database at start and after every programme
change. What is due for the events is worked out by ``event_reminders``, for the
departures by ``logistics``; the ``courier`` sends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from datetime import date, datetime
from typing import Any

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.delivery.announce_chat import AnnounceChat
from bot.delivery.courier import Courier, FanOut, Push, Render
from bot.delivery.event_reminders import EventReminders
from bot.delivery.logistics import Departures
from bot.delivery.pins import DayPins
from bot.delivery.priority import Priority
from bot.delivery.sender import PacedSender
from bot.delivery.watchdog import Watchdog
from db import delegates, deliveries
from db.connection import Database, from_db, to_db
from db.deliveries import Item
from schedule.briefings import briefing_retry_until
from schedule.clock import Clock, utc_now
from schedule.departures import departure_notice_facts, is_departure_key
from schedule.model import Delegate, EventChange, Forum, TransportChange
from schedule.reminders import reminder_retry_until
from schedule.services.programme import NoForumError, Programme

log = logging.getLogger(__name__)
JOB_PREFIX = "due:"


class Notifier:
    def __init__(
        self,
        *,
        db: Database,
        programme: Programme,
        sender: PacedSender,
        scheduler: AsyncIOScheduler,
        i18n: I18n,
        offsets: Sequence[float],
        clock: Clock,
        departures: Departures | None = None,
        pins: DayPins | None = None,
        chat: AnnounceChat | None = None,
    ) -> None:
        self.db = db
        self.programme = programme
        self.sender = sender
        self.scheduler = scheduler
        self.clock = clock
        self.events = EventReminders(db=db, offsets=offsets, clock=clock, pins=pins)
        self.departures = departures
        self.chat = chat  # the delegation's group or channel (ANNOUNCE_CHAT_ID), if any
        self.courier = Courier(db=db, sender=sender, i18n=i18n, clock=clock)
        self.due_instants: list[datetime] = []  # what the jobs wake for (any clock)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self.watchdog = Watchdog(self._after_pause)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Settle what a crash left, rebuild the jobs, send what fell due while down."""
        self._stopping = False
        for row in await deliveries.interrupt_unfinished(self.db):
            log.warning(
                "%s %s to delegate %s was interrupted by a stop while sending; not resent",
                row.kind, row.key, row.delegate_id,
            )  # fmt: skip
        await self.announce()
        await self.resync()
        # In the background: polling must not wait for a long catch-up fan-out.
        self._spawn(self.send_pending_notices())
        self._spawn(self.run_due())
        self.watchdog.start()

    async def _after_pause(self, gone: float) -> None:
        """The process was away (paused, or the clock stepped): whatever the scheduler
        missed, what is due comes from the database."""
        if self._stopping:
            return
        await self.resync()
        self._spawn(self.send_pending_notices())
        self._spawn(self.run_due())

    async def stop(self) -> None:
        """No new runs; the sender refuses what is queued, and every outcome is recorded."""
        self._stopping = True
        await self.watchdog.stop()
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX):
                job.remove()
        # Closing the sender here (App.stop closes it again, harmlessly) lets the fan-outs
        # record their outcomes while the database is still open.
        await self.sender.close()
        await self.idle()

    async def idle(self) -> None:
        """Wait for the fan-outs started in the background (change notices) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a notifier run failed", exc_info=task.exception())

    # ------------------------------------------------------------ jobs

    async def resync(self) -> None:
        """One job per distinct future due instant; stale ones removed."""
        try:
            forum = await self.programme.forum()
        except NoForumError:
            return
        now = self.clock()
        instants = self.events.due_instants(forum)
        if self.departures is not None:
            instants.update(self.departures.due_instants(forum, now))
        self.due_instants = sorted(i for i in instants if i > now)
        if self._stopping or not self.scheduler.running:
            return
        # APScheduler runs on real time; an instant it has passed would only misfire.
        real_now = utc_now()
        wanted = {JOB_PREFIX + to_db(i): i for i in self.due_instants if i > real_now}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, instant in wanted.items():
            self.scheduler.add_job(
                self._wake,
                DateTrigger(run_date=instant),
                id=job_id,
                replace_existing=True,
                kwargs={"due": to_db(instant)},
                # However late the process wakes (a pause, a clock step), the job runs:
                # what it sends is worked out from the database anyway.
                misfire_grace_time=None,
            )

    async def _wake(self, due: str) -> None:
        instant = from_db(due)
        assert instant is not None
        # A background run like the others, which stop() waits for: run as the job itself,
        # the scheduler's shutdown cancelled it halfway through recording its outcomes.
        self._spawn(self.run_due(max(self.clock(), instant)))

    # ------------------------------------------------------------ reminders and briefings

    async def run_due(self, now: datetime | None = None) -> FanOut:
        """Send every reminder and briefing due by ``now`` that nobody handled yet.

        The one entry point for jobs, the start-up catch-up and benchmarks.
        """
        now = now or self.clock()
        result = FanOut()
        if self._stopping:
            return result
        try:
            forum = await self.programme.forum()
        except NoForumError:
            return result
        people = {d.id: d for d in await delegates.list_delegates(self.db, registered_only=True)}
        due = await self.events.due(forum, people, now)
        work, by_reason = due.send, due.skip
        result.late += due.late
        if self.departures is not None:
            rides = await self.departures.due(forum, people, now)
            for item, person, render, departs in rides.send:
                until = reminder_retry_until(departs, item.due_at)
                work.append(Push(item, person, render, Priority.URGENT, until))
            result.late += rides.late
            if rides.skip:
                by_reason.setdefault("the transport has left", []).extend(rides.skip)
        for reason, items in by_reason.items():
            await deliveries.skip(self.db, items, reason, now)
            result.skipped += len(items)
        await self.courier.fan_out(work, now, result)
        return result

    async def brief_now(self, person: Delegate, day: date) -> FanOut:
        """Send ``person`` the briefing of ``day`` now, recorded as that day's (so 08:00 does
        not send it again) and pinned: the demo shows the pinned day at any hour."""
        result = FanOut()
        forum = await self.programme.forum()
        render = await self.events.briefing(forum, person, day)
        now = self.clock()
        item = Item("briefing", day.isoformat(), person.id, now)
        until = briefing_retry_until(day, forum.timezone)
        await self.courier.fan_out([Push(item, person, render, Priority.BULK, until)], now, result)
        return result

    # ------------------------------------------------------------ change notices

    async def on_changes(self, changes: Sequence[EventChange | TransportChange]) -> None:
        """Queue the notices of what changed (an outbox), resync the jobs, send.

        ``changes`` only says that something changed: what delegates are told comes from
        comparing the programme with what they were last told (:meth:`announce`).
        """
        queued = await self.announce()
        await self.resync()
        if self._stopping:
            return
        if queued or self.chat is not None:
            self._spawn(self.send_pending_notices())
        # A reinstated event's reminders that fell due while it was off are settled now
        # (sent late, or skipped if it has started), not at whatever job runs next.
        self._spawn(self.run_due())

    async def announce(self) -> int:
        """Queue one notice per untold change and recipient; returns how many were queued.

        Also run at start: a change committed by a process that stopped before its notices
        were queued (a crash after an import, ``python -m bot import``) is told then.
        """
        now = self.clock()
        people = await delegates.list_delegates(self.db, registered_only=True)
        queued = await self.events.announce(people, now, posts=self.chat is not None)
        if self.departures is not None:
            queued += await self.departures.announce(people, now, posts=self.chat is not None)
        return queued

    async def send_pending_notices(self) -> FanOut:
        result = FanOut()
        if self.chat is not None:
            self._spawn(self.chat.post_pending_notices())
        rows = await deliveries.pending(self.db, "notice")
        if not rows:
            return result
        try:
            forum = await self.programme.forum()
        except NoForumError:
            return result
        people = await delegates.by_ids(self.db, sorted({r.delegate_id for r in rows}))
        work: list[Push] = []
        skipped: list[Item] = []
        for row in rows:
            item = Item("notice", row.key, row.delegate_id, row.due_at, row.event_id)
            person = people.get(row.delegate_id)
            render = self._notice_render(row, forum)
            if render is None or person is None or not person.registered or not person.active:
                skipped.append(item)
                continue
            until = self._notice_until(row, forum)
            work.append(Push(item, person, render, Priority.URGENT, until))
        if skipped:
            await deliveries.skip(
                self.db, skipped, "the delegate or the event is gone", self.clock()
            )
            result.skipped += len(skipped)
        await self.courier.fan_out(work, self.clock(), result)
        return result

    def _notice_render(self, row: deliveries.Delivery, forum: Forum) -> Render | None:
        if is_departure_key(row.key):
            return self.departures.notice(row, forum) if self.departures else None
        return self.events.notice(row, forum)

    @staticmethod
    def _notice_until(row: deliveries.Delivery, forum: Forum) -> datetime:
        """Until when a notice that meets an outage is tried again: the departure, or the
        end of the event it is about."""
        if is_departure_key(row.key):
            transport = forum.transport(departure_notice_facts(row.key).transport_id)
            return transport.departs if transport is not None else row.due_at
        return EventReminders.notice_until(row, forum)
