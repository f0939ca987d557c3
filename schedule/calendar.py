"""A delegate's agenda as an iCalendar file, built with the icalendar library.

Each event keeps one UID across exports, so importing a newer file into a phone's calendar
updates the entries instead of duplicating them; SEQUENCE grows with each change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar
from icalendar import Event as IcsEvent

from schedule.model import Event, Forum

PRODID = "-//forum-delegation-bot//EN"


def event_uid(forum: Forum, event: Event) -> str:
    """Stable across exports and imports: the forum's name and the event's id."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in forum.name.lower())[:40].strip("-")
    return f"{event.id}@{slug or 'forum'}.delegation-bot"


def agenda_ics(
    forum: Forum, events: Iterable[Event], *, lang: str, now: datetime
) -> bytes:
    """The given events in the forum's timezone, venue as location, cancelled ones marked."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", forum.name)
    cal.add("x-wr-timezone", forum.timezone.key)
    tz = forum.timezone
    # SEQUENCE must grow when an entry changes, or calendars ignore the update; the export's
    # minute always grows, so a later file always wins.
    sequence = int(now.timestamp() // 60)
    for event in events:
        item = IcsEvent()
        item.add("uid", event_uid(forum, event))
        item.add("dtstamp", now)
        item.add("dtstart", event.starts.astimezone(tz))
        item.add("dtend", event.ends.astimezone(tz))
        item.add("summary", event.title.get(lang))
        item.add("sequence", sequence)
        venue = forum.venue(event.venue)
        if venue is not None:
            item.add("location", ", ".join(p for p in (venue.name, venue.address) if p))
            if venue.has_location:
                item.add("geo", (venue.lat, venue.lon))
        notes = [event.description.get(lang)] if event.description else []
        if event.speaker:
            notes.append(event.speaker)
        if event.dress:
            notes.append(event.dress)
        if event.bring:
            notes.append(event.bring.get(lang))
        if notes:
            item.add("description", "\n".join(notes))
        item.add("status", "CANCELLED" if event.status != "scheduled" else "CONFIRMED")
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
