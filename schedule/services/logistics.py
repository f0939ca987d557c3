"""Delegates' logistics as use-cases: their transport, contacts, own travel, the calendar
with all of it, and "I'm running late".

Handlers make one call here and render the result with ``bot.views.logistics``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from db import delegates
from db.connection import Database
from db.logistics import travel_of
from db.revisions import event_revisions, transport_revisions
from db.transport import record_running_late
from schedule.calendar import Revisions
from schedule.departures import LateVerdict, late_alert_recipients, running_late
from schedule.model import Contact, Delegate, Event, Forum, Transport, Travel
from schedule.rules import Viewer, concerns
from schedule.services.programme import Programme
from schedule.transport import (
    AgendaItem,
    NextDepartures,
    Rider,
    agenda_days,
    agenda_on,
    contacts_for,
    is_for,
    merged_agenda,
    next_departures,
)


@dataclass(frozen=True, slots=True)
class Board:
    forum: Forum
    departures: NextDepartures


@dataclass(frozen=True, slots=True)
class Whole:
    """/my: the whole programme by day, and the delegate's own travel."""

    forum: Forum
    items: tuple[AgendaItem, ...]
    days: tuple[date, ...]
    travel: Travel | None

    def on(self, day: date) -> list[AgendaItem]:
        return agenda_on(self.items, day, self.forum.timezone)


@dataclass(frozen=True, slots=True)
class CalendarData:
    forum: Forum
    events: tuple[Event, ...]
    departures: tuple[Transport, ...]
    travel: Travel | None
    traveller: str | None
    revisions: Revisions

    @property
    def is_empty(self) -> bool:
        return not (self.events or self.departures or self.travel)


@dataclass(frozen=True, slots=True)
class Alerted:
    """Who hears of a press of "I'm running late": Telegram id and language."""

    telegram_id: int
    language: str


@dataclass(frozen=True, slots=True)
class LateReport:
    verdict: LateVerdict
    transport: Transport
    forum: Forum
    recipients: tuple[Alerted, ...] = ()


async def transport_board(programme: Programme, rider: Rider, now: datetime) -> Board:
    """/transport: the rider's departures still to leave today, then the next day's."""
    forum = await programme.forum()
    departures = await programme.departures(rider)
    return Board(forum, next_departures(departures, now, forum.timezone))


async def contacts(programme: Programme, rider: Rider) -> list[Contact]:
    forum = await programme.forum()
    return contacts_for(forum.contacts, rider)


async def whole_programme(
    db: Database, programme: Programme, viewer: Viewer, rider: Rider, delegate: Delegate | None
) -> Whole:
    forum = await programme.forum()
    agenda = await programme.agenda(viewer)
    items = tuple(merged_agenda(agenda.events, await programme.departures(rider)))
    travel = await travel_of(db, delegate.id) if delegate is not None else None
    own = travel.travel if travel is not None and not travel.travel.is_empty else None
    return Whole(forum, items, tuple(agenda_days(items, forum.timezone)), own)


async def calendar_data(
    db: Database, programme: Programme, viewer: Viewer, rider: Rider, delegate: Delegate | None
) -> CalendarData:
    """What /calendar puts in the file: every event and departure that concerns the reader
    in any status (a cancelled one tells the phone to drop it), their own travel, and each
    entry's revision."""
    forum = await programme.forum()
    events = tuple(e for e in forum.events if concerns(e, viewer))
    departures = tuple(t for t in forum.transports if is_for(t.audience, rider))
    stored = await travel_of(db, delegate.id) if delegate is not None else None
    revisions = Revisions(
        events=await event_revisions(db),
        transports=await transport_revisions(db),
        travel=stored.revision if stored is not None else 0,
    )
    return CalendarData(
        forum,
        events,
        departures,
        stored.travel if stored is not None else None,
        str(delegate.id) if delegate is not None else None,
        revisions,
    )


async def report_running_late(
    db: Database,
    programme: Programme,
    delegate: Delegate,
    transport_id: str,
    organiser_ids: Collection[int],
    now: datetime,
) -> LateReport | None:
    """A press of "I'm running late": recorded once per departure; the first press names
    who is to be alerted. None when the transport is not in the programme at all."""
    forum = await programme.forum()
    transport = forum.transport(transport_id)
    if transport is None:
        return None
    verdict = running_late(transport, delegate, now, already=False)
    if verdict != "alert":
        return LateReport(verdict, transport, forum)
    if not await record_running_late(db, transport, delegate.id, now):
        return LateReport("again", transport, forum)
    people = await delegates.list_delegates(db, registered_only=True)
    ids = late_alert_recipients(people, sorted(organiser_ids), delegate.telegram_id)
    languages = {d.telegram_id: d.language for d in people if d.telegram_id is not None}
    recipients = []
    for telegram_id in ids:
        lang = languages.get(telegram_id) or await delegates.user_language(db, telegram_id)
        recipients.append(Alerted(telegram_id, lang or "en"))
    return LateReport("alert", transport, forum, tuple(recipients))
