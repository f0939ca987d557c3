"""Attendance use-cases: check in, answer, the roll-call, marks and the export.

Handlers call one of these and render what comes back; the rules they apply (windows,
audience, what a roll-call groups) are the plain functions of :mod:`schedule.attendance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from db import attendance, delegates
from db.connection import Database
from schedule.attendance import (
    Refusal,
    RollCall,
    check_in_refusal,
    listed_events,
    may_mark,
    next_check_in,
    open_for_check_in,
    roll_call,
    roll_call_event,
    rsvp_refusal,
)
from schedule.model import AttendanceRecord, Delegate, Event, Forum, Rsvp
from schedule.rules import Viewer, events_on, forum_days, nearest_day
from schedule.services.programme import Programme


def own(delegate: Delegate) -> Viewer:
    """Attendance is personal: an organiser who is also a delegate checks in as a delegate."""
    return Viewer(group=delegate.group)


class UnknownEvent(LookupError):
    """The event named or pressed is not (or no longer) in the programme."""


@dataclass(frozen=True, slots=True)
class NothingOpen:
    forum: Forum
    upcoming: Event | None


@dataclass(frozen=True, slots=True)
class ChooseEvent:
    forum: Forum
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class CheckedIn:
    forum: Forum
    event: Event
    at: datetime
    new: bool


@dataclass(frozen=True, slots=True)
class Refused:
    forum: Forum
    refusal: Refusal
    event: Event | None


async def check_in_now(
    db: Database, programme: Programme, delegate: Delegate, now: datetime
) -> NothingOpen | ChooseEvent | CheckedIn:
    """/checkin: the one open event of the delegate's agenda, or a choice, or what is next."""
    forum = await programme.forum()
    mine = (await programme.agenda(own(delegate))).events
    open_now = open_for_check_in(mine, own(delegate), now)
    if not open_now:
        return NothingOpen(forum, next_check_in(mine, own(delegate), now))
    if len(open_now) > 1:
        return ChooseEvent(forum, tuple(open_now))
    return await _check_in(db, forum, open_now[0], delegate, now)


async def check_in_event(
    db: Database, programme: Programme, delegate: Delegate, event_id: str, now: datetime
) -> CheckedIn | Refused:
    """The Check in button of one event."""
    forum = await programme.forum()
    event = await programme.event(event_id)
    refusal = check_in_refusal(event, own(delegate), now)
    if refusal is not None or event is None:
        return Refused(forum, refusal or "unknown", event)
    return await _check_in(db, forum, event, delegate, now)


async def _check_in(
    db: Database, forum: Forum, event: Event, delegate: Delegate, now: datetime
) -> CheckedIn:
    result = await attendance.check_in(db, event.id, delegate.id, now)
    return CheckedIn(forum, event, result.record.checked_in_at or now, result.new)


async def answer_rsvp(
    db: Database,
    programme: Programme,
    delegate: Delegate,
    event_id: str,
    answer: Rsvp,
    now: datetime,
) -> Event | Refused:
    """Store the delegate's answer; the event answered, or why not."""
    event = await programme.event(event_id)
    refusal = rsvp_refusal(event, own(delegate), now)
    if refusal is not None or event is None:
        return Refused(await programme.forum(), refusal or "unknown", event)
    await attendance.set_rsvp(db, event.id, delegate.id, answer, now)
    return event


async def _people(db: Database, records: Sequence[AttendanceRecord]) -> list[Delegate]:
    """Active delegates, plus anyone recorded who has since left the list."""
    people = await delegates.list_delegates(db)
    known = {d.id for d in people}
    missing = sorted({r.delegate_id for r in records} - known)
    return people + list((await delegates.by_ids(db, missing)).values())


async def _roll_call(db: Database, event: Event) -> RollCall:
    records = await attendance.for_event(db, event.id)
    return roll_call(event, await _people(db, records), records)


async def roll_call_of(db: Database, programme: Programme, event_id: str) -> tuple[Forum, RollCall]:
    """The roll-call of an event; raises :class:`UnknownEvent`."""
    forum = await programme.forum()
    event = roll_call_event(forum.events, event_id)
    if event is None:
        raise UnknownEvent(event_id)
    return forum, await _roll_call(db, event)


async def roll_call_choices(
    programme: Programme, now: datetime
) -> tuple[Forum, date | None, list[Event]]:
    """/attendance without an id: the events of today, or of the nearest forum day."""
    forum = await programme.forum()
    events = listed_events(forum.events)
    today = now.astimezone(forum.timezone).date()
    day = nearest_day(forum_days(events, forum.timezone), today)
    return forum, day, (events_on(events, day, forum.timezone) if day else [])


class NotInAudience(ValueError):
    """An organiser tried to mark someone the event does not concern."""


async def mark(
    db: Database,
    programme: Programme,
    *,
    event_id: str,
    delegate_id: int,
    present: bool,
    organiser_id: int,
    organiser_name: str,
    now: datetime,
) -> tuple[Delegate, RollCall]:
    """Mark a delegate present or absent (and log it in the same transaction); the updated
    roll-call. Raises :class:`UnknownEvent` or :class:`NotInAudience`."""
    forum = await programme.forum()
    event = roll_call_event(forum.events, event_id)
    person = await delegates.by_id(db, delegate_id)
    if event is None or person is None:
        raise UnknownEvent(event_id)
    if not may_mark(event, person, await attendance.get(db, event.id, person.id)):
        raise NotInAudience(person.name)
    state = "present" if present else "absent"
    # The organiser's Telegram name goes into the log: organisers need not be delegates,
    # and /log otherwise shows only their id.
    detail = f"{event.id}: {person.name} (#{person.id}) {state}, by {organiser_name}"
    await attendance.mark(
        db,
        event.id,
        person.id,
        present=present,
        organiser_id=organiser_id,
        now=now,
        log_detail=detail,
    )
    return person, await _roll_call(db, event)


async def roll_calls_for_export(
    db: Database, programme: Programme, event_id: str | None
) -> tuple[Forum, list[RollCall]]:
    """One event's roll-call, or every listed event's; raises :class:`UnknownEvent`."""
    forum = await programme.forum()
    if event_id:
        event = roll_call_event(forum.events, event_id)
        if event is None:
            raise UnknownEvent(event_id)
        events = [event]
    else:
        events = listed_events(forum.events)
    records = await attendance.all_rows(db, [e.id for e in events])
    people = await _people(db, records)
    return forum, [roll_call(e, people, records) for e in events]
