"""Who a departure or a contact is for, the next departures, the agenda with departures.

Plain functions over the model; the clock is always a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from schedule.model import Contact, Delegate, Event, Transport
from schedule.rules import local_day


@dataclass(frozen=True, slots=True)
class Rider:
    """Who is asking: a delegate's group and personal code, or an organiser (sees all)."""

    group: str | None = None
    code: str | None = None
    organiser: bool = False


def rider_of(delegate: Delegate | None, organiser: bool = False) -> Rider:
    """Organisers see every departure and contact; a delegate those of their group and code."""
    if organiser:
        return Rider(organiser=True)
    if delegate is None:
        return Rider()
    return Rider(group=delegate.group, code=delegate.code)


def is_for(audience: tuple[str, ...] | None, rider: Rider) -> bool:
    """``audience`` names groups and delegate codes; None = the whole delegation."""
    if rider.organiser or audience is None:
        return True
    return (rider.group is not None and rider.group in audience) or (
        rider.code is not None and rider.code in audience
    )


def departures_for(transports: Iterable[Transport], rider: Rider) -> list[Transport]:
    """The active departures ``rider`` takes (organisers: all), by departure time."""
    return sorted(
        (t for t in transports if t.is_active and is_for(t.audience, rider)),
        key=lambda t: (t.departs, t.id),
    )


def contacts_for(contacts: Iterable[Contact], rider: Rider) -> list[Contact]:
    """The contacts that concern ``rider``, in the file's order."""
    return [c for c in contacts if is_for(c.audience, rider)]


@dataclass(frozen=True, slots=True)
class NextDepartures:
    """What /transport shows: the rest of today, then the next day with departures."""

    today: tuple[Transport, ...]
    later: tuple[Transport, ...]
    later_day: date | None

    @property
    def is_empty(self) -> bool:
        return not (self.today or self.later)


def next_departures(departures: Iterable[Transport], now: datetime, tz: ZoneInfo) -> NextDepartures:
    """Departures still to leave today, and those of the next day that has any (tomorrow,
    during the forum); ``departures`` are the rider's already (:func:`departures_for`)."""
    today = local_day(now, tz)
    coming = sorted((t for t in departures if t.departs > now), key=lambda t: (t.departs, t.id))
    todays = tuple(t for t in coming if local_day(t.departs, tz) == today)
    later_days = sorted({local_day(t.departs, tz) for t in coming} - {today})
    if not later_days:
        return NextDepartures(todays, (), None)
    day = later_days[0]
    return NextDepartures(todays, tuple(t for t in coming if local_day(t.departs, tz) == day), day)


def transports_to(event: Event, departures: Iterable[Transport]) -> list[Transport]:
    """The rider's departures that take them to ``event``."""
    return [t for t in departures if t.event == event.id]


# ---------------------------------------------------------------- the merged agenda


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One line of a delegate's day: an event or a departure."""

    at: datetime
    event: Event | None = None
    transport: Transport | None = None

    @property
    def id(self) -> str:
        item = self.event or self.transport
        assert item is not None
        return item.id


def merged_agenda(events: Iterable[Event], departures: Iterable[Transport]) -> list[AgendaItem]:
    """Events and departures in time order; a departure at an event's start comes first
    (the car leaves for it)."""
    items = [AgendaItem(e.starts, event=e) for e in events] + [
        AgendaItem(t.departs, transport=t) for t in departures
    ]
    items.sort(key=lambda i: (i.at, i.event is not None, i.id))
    return items


def agenda_on(items: Iterable[AgendaItem], day: date, tz: ZoneInfo) -> list[AgendaItem]:
    return [i for i in items if local_day(i.at, tz) == day]


def agenda_days(items: Iterable[AgendaItem], tz: ZoneInfo) -> list[date]:
    """The local dates with an event or a departure (an arrival transfer the day before
    the forum opens is a day of the delegate's programme too)."""
    return sorted({local_day(i.at, tz) for i in items})


def next_item(items: Iterable[AgendaItem], now: datetime) -> AgendaItem | None:
    """The first event or departure after ``now``: what /next answers."""
    return min(
        (i for i in items if i.at > now), key=lambda i: (i.at, i.event is not None, i.id),
        default=None,
    )  # fmt: skip
