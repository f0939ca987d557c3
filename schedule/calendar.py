"""A delegate's agenda as an iCalendar file, built with the icalendar library.

Each event keeps one UID across exports, so importing a newer file into a phone's calendar
updates the entries instead of duplicating them. SEQUENCE is the entry's revision, which
grows with every change of it (the database counts them); a cancelled or removed entry
stays in the file as STATUS:CANCELLED, so that importing the file removes it from the phone.
Departures and the delegate's own arrival and departure are entries too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from icalendar import Calendar
from icalendar import Event as IcsEvent

from schedule.model import Event, Forum, Journey, Transport, Travel

PRODID = "-//forum-delegation-bot//EN"
# An arrival or a departure is an instant; a calendar entry needs some length to be seen.
_JOURNEY_LENGTH = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Revisions:
    """How many times each entry changed (absent = never): the SEQUENCE of each."""

    events: Mapping[str, int] = field(default_factory=dict)
    transports: Mapping[str, int] = field(default_factory=dict)
    travel: int = 0  # the delegate's own arrival and departure


@dataclass(frozen=True, slots=True)
class JourneyText:
    """The words of an arrival or departure entry, in the delegate's language."""

    arrival: str
    departure: str


def _slug(forum: Forum) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in forum.name.lower())[:40].strip("-")
    return slug or "forum"


def event_uid(forum: Forum, event: Event) -> str:
    """Stable across exports and imports: the forum's name and the event's id."""
    return f"{event.id}@{_slug(forum)}.delegation-bot"


def transport_uid(forum: Forum, transport: Transport) -> str:
    return f"transport-{transport.id}@{_slug(forum)}.delegation-bot"


def journey_uid(forum: Forum, traveller: str, which: str) -> str:
    """``traveller`` is the delegate's stable id; ``which`` is arrival or departure."""
    return f"{which}-{traveller}@{_slug(forum)}.delegation-bot"


def agenda_ics(
    forum: Forum,
    events: Iterable[Event],
    *,
    lang: str,
    now: datetime,
    revisions: Revisions | None = None,
    departures: Iterable[Transport] = (),
    transport_title: Mapping[str, str] | None = None,
    travel: Travel | None = None,
    traveller: str | None = None,
    journey_text: JourneyText | None = None,
) -> bytes:
    """The given events and departures in the forum's timezone, venue as location,
    cancelled ones marked; with ``travel`` (and ``traveller``, the delegate's stable id),
    the delegate's own arrival and departure.

    ``transport_title`` maps transport ids to their entry's summary (worded by the caller,
    in the delegate's language); ``journey_text`` words the arrival and departure.
    """
    revisions = revisions or Revisions()
    cal = _calendar(forum)
    for event in events:
        cal.add_component(_event(forum, event, lang, now, revisions))
    for transport in departures:
        cal.add_component(_departure(forum, transport, lang, now, revisions, transport_title or {}))
    if travel is not None and traveller is not None:
        words = journey_text or JourneyText("Arrival", "Departure")
        for which, journey, summary in (
            ("arrival", travel.arrival, words.arrival),
            ("departure", travel.departure, words.departure),
        ):
            if journey is None and not revisions.travel:
                continue  # never in the file: nothing on the phone to cancel
            uid = journey_uid(forum, traveller, which)
            cal.add_component(_journey(forum, uid, journey, summary, now, revisions.travel))
    cal.add_missing_timezones()
    return cal.to_ical()


def _calendar(forum: Forum) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", forum.name)
    cal.add("x-wr-timezone", forum.timezone.key)
    return cal


def _event(forum: Forum, event: Event, lang: str, now: datetime, revisions: Revisions) -> IcsEvent:
    tz = forum.timezone
    item = IcsEvent()
    item.add("uid", event_uid(forum, event))
    item.add("dtstamp", now)
    item.add("dtstart", event.starts.astimezone(tz))
    item.add("dtend", event.ends.astimezone(tz))
    item.add("summary", event.title.get(lang))
    # SEQUENCE must grow when an entry changes, or calendars ignore the update.
    item.add("sequence", revisions.events.get(event.id, 0))
    venue = forum.venue(event.venue)
    if venue is not None:
        item.add("location", ", ".join(p for p in (venue.name, venue.address) if p))
        if venue.has_location:
            item.add("geo", (venue.lat, venue.lon))
    notes = [event.description.get(lang)] if event.description else []
    notes += [text for text in (event.speaker, event.dress) if text]
    if event.bring:
        notes.append(event.bring.get(lang))
    if notes:
        item.add("description", "\n".join(notes))
    item.add("status", "CANCELLED" if event.status != "scheduled" else "CONFIRMED")
    return item


def _departure(
    forum: Forum,
    transport: Transport,
    lang: str,
    now: datetime,
    revisions: Revisions,
    titles: Mapping[str, str],
) -> IcsEvent:
    tz = forum.timezone
    item = IcsEvent()
    item.add("uid", transport_uid(forum, transport))
    item.add("dtstamp", now)
    item.add("dtstart", transport.departs.astimezone(tz))
    ends = transport.arrives or transport.departs + timedelta(minutes=15)
    item.add("dtend", ends.astimezone(tz))
    origin, destination = forum.venue(transport.origin), forum.venue(transport.destination)
    summary = titles.get(transport.id) or " → ".join(
        v.name if v else "" for v in (origin, destination)
    )
    item.add("summary", summary)
    item.add("sequence", revisions.transports.get(transport.id, 0))
    if origin is not None:
        item.add("location", ", ".join(p for p in (origin.name, origin.address) if p))
        if origin.has_location:
            item.add("geo", (origin.lat, origin.lon))
    notes = [transport.meeting_point.get(lang)] if transport.meeting_point else []
    notes.extend(n for n in (transport.vehicle, transport.driver, transport.phone) if n)
    if notes:
        item.add("description", "\n".join(notes))
    item.add("status", "CANCELLED" if transport.status != "scheduled" else "CONFIRMED")
    return item


def _journey(
    forum: Forum, uid: str, journey: Journey | None, summary: str, now: datetime, sequence: int
) -> IcsEvent:
    """An arrival or departure; one no longer in the file stays, cancelled, so phones drop it
    (it keeps the moment it was exported at, which the phone replaces anyway)."""
    item = IcsEvent()
    item.add("uid", uid)
    item.add("dtstamp", now)
    at = journey.at if journey is not None else now
    item.add("dtstart", at.astimezone(forum.timezone))
    item.add("dtend", (at + _JOURNEY_LENGTH).astimezone(forum.timezone))
    flight = journey.flight if journey is not None else None
    item.add("summary", f"{summary} {flight}" if flight else summary)
    item.add("sequence", sequence)
    venue = forum.venue(journey.place) if journey is not None else None
    if venue is not None:
        item.add("location", ", ".join(p for p in (venue.name, venue.address) if p))
    item.add("status", "CONFIRMED" if journey is not None else "CANCELLED")
    return item
