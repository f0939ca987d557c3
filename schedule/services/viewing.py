"""What a delegate reads: a day of the programme, an event's card, what is next, a venue.

The programme cache answers the questions of the forum; the delegate's own attendance
record comes from the database, because a card shows their answer and check-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from db import attendance, delegates
from db.connection import Database
from schedule.model import AttendanceRecord, Delegate, Event, Forum, Venue
from schedule.rules import Viewer, concerns, in_audience, local_day, nearest_day, next_event
from schedule.services.programme import Agenda, Programme


@dataclass(frozen=True, slots=True)
class DayView:
    forum: Forum
    day: date | None  # None: nothing in the programme for this viewer
    events: tuple[Event, ...]
    days: tuple[date, ...]
    shown_instead_of: date | None  # today, when another day is shown because today is empty


@dataclass(frozen=True, slots=True)
class Card:
    forum: Forum
    event: Event
    attends: bool  # the reader may answer and check in (a delegate of its audience)
    record: AttendanceRecord | None
    # Who signs the agreements signed at the event, by personal code (for its card).
    signatories: Mapping[str, Delegate] = field(default_factory=dict)


async def day_view(
    programme: Programme, viewer: Viewer, day: date | None, now: datetime
) -> DayView:
    """The asked day if the viewer has events on it, else the nearest day to today."""
    forum = await programme.forum()
    today = local_day(now, forum.timezone)
    agenda = await programme.agenda(viewer)
    chosen = day if day is not None and day in agenda.days else nearest_day(agenda.days, today)
    if chosen is None:
        return DayView(forum, None, (), agenda.days, None)
    instead = today if day is None and chosen != today else None
    return DayView(forum, chosen, agenda.on(chosen), agenda.days, instead)


async def _card(db: Database, forum: Forum, event: Event, delegate: Delegate | None) -> Card:
    codes = [c for a in forum.agreements if a.event == event.id for c in a.signatories]
    signatories = await delegates.by_codes(db, codes)
    # Attendance is personal: an organiser sees every card but answers only for their own.
    if delegate is None or not in_audience(event, delegate.group):
        return Card(forum, event, False, None, signatories)
    record = await attendance.get(db, event.id, delegate.id)
    return Card(forum, event, True, record, signatories)


async def event_card(
    db: Database, programme: Programme, viewer: Viewer, delegate: Delegate | None, event_id: str
) -> Card | None:
    """The card of an event the viewer may see; None for one gone or not theirs."""
    forum = await programme.forum()
    event = await programme.event(event_id)
    if event is None or event.status == "removed" or not concerns(event, viewer):
        return None
    return await _card(db, forum, event, delegate)


async def next_card(
    db: Database, programme: Programme, viewer: Viewer, delegate: Delegate | None, now: datetime
) -> Card | None:
    """The card of the viewer's next event; None when nothing more is ahead."""
    forum = await programme.forum()
    upcoming = next_event((await programme.agenda(viewer)).events, now)
    if upcoming is None:
        return None
    return await _card(db, forum, upcoming, delegate)


async def agenda(programme: Programme, viewer: Viewer) -> tuple[Forum, Agenda]:
    return await programme.forum(), await programme.agenda(viewer)


async def venue_pin(programme: Programme, venue_id: str) -> tuple[Forum, Venue] | None:
    """A venue with a map location; None for one no longer in the programme."""
    forum = await programme.forum()
    venue = forum.venue(venue_id)
    if venue is None or not venue.has_location:
        return None
    return forum, venue
