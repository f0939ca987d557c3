"""Event reminders, morning briefings and event change notices, for the notifier.

What is due and how it reads, as :class:`bot.delivery.logistics.Departures` says it of
the departures; the notifier runs both with one machinery (the delivery table, the
courier, one job per due instant).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from bot.delivery.courier import Push, Render, Rendered
from bot.delivery.pins import DayPins
from bot.delivery.priority import Priority
from bot.views import notices as reminder_views
from db import deliveries
from db.connection import Database
from db.deliveries import Delivery, Item
from schedule.briefings import (
    briefing_due_at,
    briefing_events,
    briefing_retry_until,
    due_briefings,
    planned_briefings,
)
from schedule.clock import Clock
from schedule.model import Announced, Delegate, Event, Forum
from schedule.reminders import (
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

log = logging.getLogger(__name__)


@dataclass
class DueWork:
    """What a run of the notifier is to send, and to skip by reason, of the events'."""

    send: list[Push] = field(default_factory=list)
    skip: dict[str, list[Item]] = field(default_factory=dict)
    late: int = 0


class EventReminders:
    def __init__(
        self, *, db: Database, offsets: Sequence[float], clock: Clock, pins: DayPins | None
    ) -> None:
        self.db = db
        self.offsets = tuple(offsets)
        self.clock = clock
        self.pins = pins  # with the day's departures, the briefing pinned once sent

    def due_instants(self, forum: Forum) -> set[datetime]:
        """Every instant a reminder or a briefing falls due, past ones included."""
        instants: set[datetime] = set()
        active = [e for e in forum.events if e.is_active]
        for event in active:
            if event.remind:
                instants.update(reminder_due_at(event, o) for o in self.offsets)
        instants.update(
            briefing_due_at(d, forum.timezone) for d in forum_days(active, forum.timezone)
        )
        return instants

    # ------------------------------------------------------------ reminders and briefings

    async def due(self, forum: Forum, people: Mapping[int, Delegate], now: datetime) -> DueWork:
        """The reminders and briefings due by ``now`` that nobody handled yet."""
        work = DueWork()
        await self._due_reminders(forum, people, now, work)
        await self._due_briefings(forum, people, now, work)
        return work

    async def _due_reminders(
        self, forum: Forum, people: Mapping[int, Delegate], now: datetime, work: DueWork
    ) -> None:
        stamps = await deliveries.event_stamps(self.db)
        planned = planned_reminders(
            forum.events,
            list(people.values()),
            self.offsets,
            {k: s.scheduled_at for k, s in stamps.items()},
        )
        decisions = due_reminders(now, planned, await deliveries.handled(self.db, "reminder"))
        events = {e.id: e for e in forum.events}
        for decision in decisions:
            p = decision.reminder
            item = Item("reminder", p.key, p.delegate_id, p.due_at, p.event_id)
            if decision.action == "skip":
                work.skip.setdefault(decision.reason or "", []).append(item)
                log.info(
                    "reminder %s for delegate %s skipped: %s", p.key, p.delegate_id, decision.reason
                )
                continue
            if decision.late:
                work.late += 1
                log.warning(
                    "reminder %s for delegate %s is late (due %s); sending now",
                    p.key, p.delegate_id, p.due_at.isoformat(),
                )  # fmt: skip
            render = partial(
                self._reminder, events[p.event_id], forum, p.first, people[p.delegate_id]
            )
            until = reminder_retry_until(p.starts, p.due_at)
            work.send.append(Push(item, people[p.delegate_id], render, Priority.URGENT, until))

    async def _due_briefings(
        self, forum: Forum, people: Mapping[int, Delegate], now: datetime, work: DueWork
    ) -> None:
        to_send, to_skip = due_briefings(
            now,
            planned_briefings(forum.events, people.values(), forum.timezone),
            await deliveries.handled(self.db, "briefing"),
            forum.timezone,
        )
        for b in to_skip:
            work.skip.setdefault("the forum day is over", []).append(
                Item("briefing", b.key, b.delegate_id, b.due_at)
            )
        for b in to_send:
            person = people[b.delegate_id]
            item = Item("briefing", b.key, b.delegate_id, b.due_at)
            until = briefing_retry_until(b.day, forum.timezone)
            brief = await self.briefing(forum, person, b.day)
            work.send.append(Push(item, person, brief, Priority.BULK, until))

    async def briefing(self, forum: Forum, person: Delegate, day: date) -> Render:
        """How ``person``'s briefing of ``day`` reads: pinned once sent, with the pins."""
        if self.pins is not None:
            return await self.pins.briefing(person, day)
        return partial(_briefing, forum, person, day)

    def _reminder(self, event: Event, forum: Forum, first: bool, person: Delegate) -> Rendered:
        moment = self.clock()  # "in 15 minutes" as of the moment it is rendered
        return (
            reminder_views.reminder_text(event, forum, moment, person),
            reminder_views.reminder_keyboard(event, forum, moment, first=first),
        )

    # ------------------------------------------------------------ change notices

    async def announce(self, people: Sequence[Delegate], now: datetime, *, posts: bool) -> int:
        """Queue the notices of untold event changes (see :meth:`Notifier.announce`);
        ``posts``: each change once in the delegation's chat too."""
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
            chat_posts = (
                [notice_key(before, after, versions.get(after.id, "")) for before, after in tell]
                if posts
                else []
            )
            return record, items, chat_posts

        return await deliveries.announce(self.db, plan, now)

    @staticmethod
    def notice(row: Delivery, forum: Forum) -> Render | None:
        """How a queued event notice reads; None when the event is gone."""
        facts = notice_facts(row.key)
        event = _event(forum, facts.event_id)
        return None if event is None else partial(_notice, facts, event, forum)

    @staticmethod
    def notice_until(row: Delivery, forum: Forum) -> datetime:
        """Until when an event notice that meets an outage is tried again: the end of the
        event it is about."""
        event = _event(forum, notice_facts(row.key).event_id)
        return notice_retry_until(event) if event is not None else row.due_at


def _event(forum: Forum, event_id: str) -> Event | None:
    return next((e for e in forum.events if e.id == event_id), None)


def _briefing(forum: Forum, person: Delegate, day: date) -> Rendered:
    todays = briefing_events(forum.events, person, day, forum.timezone)
    return reminder_views.briefing_text(forum, day, todays), None


def _notice(facts: NoticeFacts, event: Event, forum: Forum) -> Rendered:
    return reminder_views.notice_text(facts, event, forum), reminder_views.notice_keyboard(
        event, forum
    )
