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
from schedule.model import AttendanceRecord, Delegate, Event, Forum, Transport, Venue
from schedule.rules import Viewer, concerns, in_audience, local_day, nearest_day, venue_shown
from schedule.services.programme import Agenda, Programme
from schedule.transport import (
    agenda_days,
    agenda_on,
    is_for,
    merged_agenda,
    next_item,
    rider_of,
    transports_to,
)


@dataclass(frozen=True, slots=True)
class DayView:
    forum: Forum
    day: date | None  # None: nothing in the programme for this viewer
    events: tuple[Event, ...]
    days: tuple[date, ...]
    shown_instead_of: date | None  # today, when another day is shown because today is empty
    departures: tuple[Transport, ...] = ()  # the reader's, that day


@dataclass(frozen=True, slots=True)
class Card:
    forum: Forum
    event: Event
    attends: bool  # the reader may answer and check in (a delegate of its audience)
    record: AttendanceRecord | None
    # Who signs the agreements signed at the event, by personal code (for its card).
    signatories: Mapping[str, Delegate] = field(default_factory=dict)
    transports: tuple[Transport, ...] = ()  # what takes the reader there


@dataclass(frozen=True, slots=True)
class Next:
    """/next: the reader's next event (its card) or, when a car leaves first, that."""

    forum: Forum
    card: Card | None = None
    departure: Transport | None = None


async def day_view(
    programme: Programme,
    viewer: Viewer,
    day: date | None,
    now: datetime,
    delegate: Delegate | None = None,
) -> DayView:
    """The asked day if the viewer has events or departures on it, else today if anything
    happens today, else the nearest day with events (not the airport transfer after it)."""
    forum = await programme.forum()
    today = local_day(now, forum.timezone)
    agenda = await programme.agenda(viewer)
    departures = await programme.departures(rider_of(delegate, viewer.organiser))
    # Without departures (most readers) the agenda's own days are the answer: merging
    # and converting every event's day again cost a fifth of a /schedule.
    items = merged_agenda(agenda.events, departures) if departures else None
    days = agenda.days if items is None else tuple(agenda_days(items, forum.timezone))
    nearest = today if today in days else nearest_day(agenda.days or days, today)
    chosen = day if day is not None and day in days else nearest
    if chosen is None:
        return DayView(forum, None, (), days, None)
    instead = today if day is None and chosen != today else None
    if items is None:
        return DayView(forum, chosen, agenda.on(chosen), days, instead)
    todays = agenda_on(items, chosen, forum.timezone)
    return DayView(
        forum,
        chosen,
        tuple(i.event for i in todays if i.event),
        days,
        instead,
        tuple(i.transport for i in todays if i.transport),
    )


async def _card(
    db: Database,
    programme: Programme,
    forum: Forum,
    event: Event,
    delegate: Delegate | None,
    viewer: Viewer,
) -> Card:
    codes = [c for a in forum.agreements if a.event == event.id for c in a.signatories]
    signatories = await delegates.by_codes(db, codes)
    departures = await programme.departures(rider_of(delegate, viewer.organiser))
    rides = tuple(transports_to(event, departures))
    # Attendance is personal: an organiser sees every card but answers only for their own.
    if delegate is None or not in_audience(event, delegate.group):
        return Card(forum, event, False, None, signatories, rides)
    record = await attendance.get(db, event.id, delegate.id)
    return Card(forum, event, True, record, signatories, rides)


async def event_card(
    db: Database, programme: Programme, viewer: Viewer, delegate: Delegate | None, event_id: str
) -> Card | None:
    """The card of an event the viewer may see; None for one gone or not theirs."""
    forum = await programme.forum()
    event = await programme.event(event_id)
    if event is None or event.status == "removed" or not concerns(event, viewer):
        return None
    return await _card(db, programme, forum, event, delegate, viewer)


async def next_up(
    db: Database, programme: Programme, viewer: Viewer, delegate: Delegate | None, now: datetime
) -> Next:
    """The viewer's next event or departure, whichever comes first; neither when nothing
    more is ahead."""
    forum = await programme.forum()
    agenda = await programme.agenda(viewer)
    departures = await programme.departures(rider_of(delegate, viewer.organiser))
    if not departures:  # the agenda is in time order: its first event after now
        event = next((e for e in agenda.events if e.starts > now), None)
        if event is None:
            return Next(forum)
        return Next(forum, card=await _card(db, programme, forum, event, delegate, viewer))
    upcoming = next_item(merged_agenda(agenda.events, departures), now)
    if upcoming is None:
        return Next(forum)
    if upcoming.transport is not None:
        return Next(forum, departure=upcoming.transport)
    assert upcoming.event is not None
    return Next(forum, card=await _card(db, programme, forum, upcoming.event, delegate, viewer))


async def agenda(programme: Programme, viewer: Viewer) -> tuple[Forum, Agenda]:
    return await programme.forum(), await programme.agenda(viewer)


async def venue_pin(
    programme: Programme, venue_id: str, viewer: Viewer, delegate: Delegate | None = None
) -> tuple[Forum, Venue] | None:
    """A venue with a map location that the viewer has a reason to see (an event or a
    departure of theirs there); None otherwise: gone from the programme, or a forged
    ``v:<id>`` for another group's venue."""
    forum = await programme.forum()
    venue = forum.venue(venue_id)
    if venue is None or not venue.has_location:
        return None
    rider = rider_of(delegate, viewer.organiser)
    places = (
        place
        for t in forum.transports
        if t.status != "removed" and is_for(t.audience, rider)
        for place in (t.origin, t.destination)
    )
    if not venue_shown(venue.id, forum.events, viewer, places):
        return None
    return forum, venue
