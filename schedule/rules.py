"""Who sees which event, which days the forum has, what comes next.

Plain functions over the model; the clock is always a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schedule.model import Event


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a delegate's group (None = no group) and whether they organise."""

    group: str | None = None
    organiser: bool = False


def in_audience(event: Event, group: str | None) -> bool:
    """An event with no audience is for the whole delegation; otherwise for its groups."""
    return event.audience is None or (group is not None and group in event.audience)


def concerns(event: Event, viewer: Viewer) -> bool:
    """Organisers see every event; a delegate sees the events of their audience."""
    return viewer.organiser or in_audience(event, viewer.group)


def visible_events(events: Iterable[Event], viewer: Viewer) -> list[Event]:
    """The active events that concern ``viewer``, by start time."""
    return sorted(
        (e for e in events if e.is_active and concerns(e, viewer)), key=lambda e: (e.starts, e.id)
    )


def venue_shown(
    venue_id: str, events: Iterable[Event], viewer: Viewer, also: Iterable[str] = ()
) -> bool:
    """Whether ``viewer`` may be sent the pin of a venue: one of the events they see (on
    the programme, or cancelled but still on it) takes place there, or it is one of
    ``also`` (the places of their departures). Where a group goes is no more public than
    what it does."""
    return venue_id in set(also) or any(
        e.venue == venue_id and e.status != "removed" and concerns(e, viewer) for e in events
    )


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def forum_days(events: Iterable[Event], tz: ZoneInfo) -> list[date]:
    """The local dates on which the given events start, in order."""
    return sorted({local_day(e.starts, tz) for e in events})


def events_on(events: Iterable[Event], day: date, tz: ZoneInfo) -> list[Event]:
    return [e for e in events if local_day(e.starts, tz) == day]


def nearest_day(days: Sequence[date], today: date) -> date | None:
    """Today if it is a forum day, else the next forum day, else the last one."""
    if not days:
        return None
    if today in days:
        return today
    upcoming = [d for d in days if d > today]
    return upcoming[0] if upcoming else days[-1]


def next_event(events: Iterable[Event], now: datetime) -> Event | None:
    """The first event that starts after ``now``."""
    return min((e for e in events if e.starts > now), key=lambda e: (e.starts, e.id), default=None)


def upcoming_first(events: Sequence[Event], now: datetime, limit: int) -> list[Event]:
    """Up to ``limit`` events, those not over yet first (in order), then the latest past."""
    ahead = [e for e in events if e.ends > now]
    past = [e for e in events if e.ends <= now]
    return (ahead + past[::-1])[:limit]


def seated_by(event: Event) -> datetime | None:
    """When delegates must be seated, if the event asks them to arrive early."""
    if event.arrive_early is None:
        return None
    return event.starts - timedelta(minutes=event.arrive_early)


def event_when(event: Event, tz: ZoneInfo) -> str:
    """An event's time in forum time, language-neutral ('2023-09-14 10:00–11:00'), for logs."""
    starts, ends = event.starts.astimezone(tz), event.ends.astimezone(tz)
    return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"
