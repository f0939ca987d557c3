"""The notifier: reminders, morning briefings and change notices, each exactly once.

The database says what is due (``schedule.reminders`` over the stored programme and
``db.deliveries``); APScheduler only wakes :meth:`Notifier.run_due` at each distinct due
instant. Jobs carry the instant as text, nothing else, and are rebuilt from the database
at start and after every programme change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.delivery.announce_chat import AnnounceChat
from bot.delivery.logistics import Departures
from bot.delivery.pins import DayPins, PinAfterSending
from bot.delivery.priority import Priority, sending_as
from bot.delivery.sender import UNCERTAIN, PacedSender, SenderClosed
from bot.delivery.watchdog import Watchdog
from bot.views import notices as reminder_views
from db import delegates, deliveries
from db.connection import Database, from_db, to_db
from db.deliveries import Item
from schedule.briefings import (
    briefing_due_at,
    briefing_events,
    briefing_retry_until,
    due_briefings,
    planned_briefings,
)
from schedule.clock import Clock, utc_now
from schedule.departures import departure_notice_facts, is_departure_key
from schedule.model import Delegate, Event, EventChange, Forum, TransportChange
from schedule.reminders import (
    Announced,
    NoticeFacts,
    due_reminders,
    notice_facts,
    notice_key,
    notice_recipients,
    notice_retry_until,
    planned_reminders,
    reminder_due_at,
    reminder_retry_until,
    unannounced,
)
from schedule.rules import forum_days
from schedule.services.programme import NoForumError, Programme

log = logging.getLogger(__name__)
JOB_PREFIX = "due:"
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
        self.i18n = i18n
        self.offsets = tuple(offsets)
        self.clock = clock
        self.departures = departures
        self.pins = pins
        self.chat = chat  # the delegation's group or channel (ANNOUNCE_CHAT_ID), if any
        self.due_instants: list[datetime] = []  # what the jobs wake for (any clock)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._window = asyncio.Semaphore(SENDING_WINDOW)
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
        instants: set[datetime] = set()
        active = [e for e in forum.events if e.is_active]
        for event in active:
            if event.remind:
                instants.update(reminder_due_at(event, o) for o in self.offsets)
        instants.update(
            briefing_due_at(d, forum.timezone) for d in forum_days(active, forum.timezone)
        )
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
        stamps = await deliveries.event_stamps(self.db)
        planned = planned_reminders(
            forum.events,
            list(people.values()),
            self.offsets,
            {k: s.scheduled_at for k, s in stamps.items()},
        )
        decisions = due_reminders(now, planned, await deliveries.handled(self.db, "reminder"))
        by_reason: dict[str, list[Item]] = {}
        work: list[Push] = []
        events = {e.id: e for e in forum.events}
        for decision in decisions:
            p = decision.reminder
            item = Item("reminder", p.key, p.delegate_id, p.due_at, p.event_id)
            if decision.action == "skip":
                by_reason.setdefault(decision.reason or "", []).append(item)
                log.info(
                    "reminder %s for delegate %s skipped: %s", p.key, p.delegate_id, decision.reason
                )
                continue
            if decision.late:
                result.late += 1
                log.warning(
                    "reminder %s for delegate %s is late (due %s); sending now",
                    p.key, p.delegate_id, p.due_at.isoformat(),
                )  # fmt: skip
            render = partial(
                self._reminder, events[p.event_id], forum, p.first, people[p.delegate_id]
            )
            until = reminder_retry_until(p.starts, p.due_at)
            work.append(Push(item, people[p.delegate_id], render, Priority.URGENT, until))
        to_send, to_skip = due_briefings(
            now,
            planned_briefings(forum.events, people.values(), forum.timezone),
            await deliveries.handled(self.db, "briefing"),
            forum.timezone,
        )
        for b in to_skip:
            by_reason.setdefault("the forum day is over", []).append(
                Item("briefing", b.key, b.delegate_id, b.due_at)
            )
        for b in to_send:
            person = people[b.delegate_id]
            brief: Render = partial(_briefing, forum, person, b.day)
            if self.pins is not None:  # with the day's departures, pinned once sent
                brief = await self.pins.briefing(person, b.day)
            item = Item("briefing", b.key, b.delegate_id, b.due_at)
            until = briefing_retry_until(b.day, forum.timezone)
            work.append(Push(item, person, brief, Priority.BULK, until))
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
        await self._fan_out(work, now, result)
        return result

    async def brief_now(self, person: Delegate, day: date) -> FanOut:
        """Send ``person`` the briefing of ``day`` now, recorded as that day's (so 08:00 does
        not send it again) and pinned: the demo shows the pinned day at any hour."""
        result = FanOut()
        render: Render = (
            await self.pins.briefing(person, day) if self.pins is not None
            else partial(_briefing, await self.programme.forum(), person, day)
        )  # fmt: skip
        now = self.clock()
        item = Item("briefing", day.isoformat(), person.id, now)
        forum = await self.programme.forum()
        until = briefing_retry_until(day, forum.timezone)
        await self._fan_out([Push(item, person, render, Priority.BULK, until)], now, result)
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
        told_off = await deliveries.told_off(self.db)

        def plan(
            events: Sequence[Event],
            announced: Mapping[str, Announced],
            versions: Mapping[str, str],
        ) -> tuple[list[Event], list[Item], list[str]]:
            record, tell = unannounced(events, announced, now)
            items = [
                Item("notice", notice_key(before, after, versions.get(after.id, "")), d.id,
                     now, after.id)
                for before, after in tell
                for d in notice_recipients(
                    before, after, people, told_off.get(after.id, set())
                )
            ]  # fmt: skip
            # Each change once in the delegation's chat, whoever it concerns.
            posts = (
                [notice_key(before, after, versions.get(after.id, "")) for before, after in tell]
                if self.chat is not None
                else []
            )
            return record, items, posts

        queued = await deliveries.announce(self.db, plan, now)
        if self.departures is not None:
            queued += await self.departures.announce(people, now)
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
        await self._fan_out(work, self.clock(), result)
        return result

    def _notice_render(self, row: deliveries.Delivery, forum: Forum) -> Render | None:
        if is_departure_key(row.key):
            return self.departures.notice(row, forum) if self.departures else None
        facts = notice_facts(row.key)
        event = next((e for e in forum.events if e.id == facts.event_id), None)
        return None if event is None else partial(_notice, facts, event, forum)

    @staticmethod
    def _notice_until(row: deliveries.Delivery, forum: Forum) -> datetime:
        """Until when a notice that meets an outage is tried again: the departure, or the
        end of the event it is about."""
        if is_departure_key(row.key):
            transport = forum.transport(departure_notice_facts(row.key).transport_id)
            return transport.departs if transport is not None else row.due_at
        event_id = notice_facts(row.key).event_id
        event = next((e for e in forum.events if e.id == event_id), None)
        return notice_retry_until(event) if event is not None else row.due_at

    # ------------------------------------------------------------ sending

    def _reminder(self, event: Event, forum: Forum, first: bool, person: Delegate) -> Rendered:
        moment = self.clock()  # "in 15 minutes" as of the moment it is rendered
        return (
            reminder_views.reminder_text(event, forum, moment, person),
            reminder_views.reminder_keyboard(event, forum, moment, first=first),
        )

    async def _fan_out(self, work: list[Push], now: datetime, result: FanOut) -> None:
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


def _briefing(forum: Forum, person: Delegate, day: date) -> Rendered:
    todays = briefing_events(forum.events, person, day, forum.timezone)
    return reminder_views.briefing_text(forum, day, todays), None


def _notice(facts: NoticeFacts, event: Event, forum: Forum) -> Rendered:
    return reminder_views.notice_text(facts, event, forum), reminder_views.notice_keyboard(
        event, forum
    )
