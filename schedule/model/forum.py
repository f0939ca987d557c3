"""The forum itself: venues, groups, delegates and events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from schedule.model.agreements import Agreement
from schedule.model.kinds import EventStatus
from schedule.model.logistics import Contact, Journey, Transport, Travel
from schedule.model.texts import Localized


@dataclass(frozen=True, slots=True)
class Venue:
    id: str
    name: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class DelegateEntry:
    """A delegate as the forum file lists them (before anyone registers)."""

    name: str
    code: str
    position: str = ""
    group: str | None = None
    role: str = "member"
    hotel: str | None = None  # a venue id
    arrival: Journey | None = None
    departure: Journey | None = None

    @property
    def travel(self) -> Travel:
        return Travel(self.hotel, self.arrival, self.departure)


@dataclass(frozen=True, slots=True)
class Event:
    """One item of the programme. ``starts``/``ends`` are aware UTC instants."""

    id: str
    kind: str
    title: Localized
    starts: datetime
    ends: datetime
    venue: str | None = None
    audience: tuple[str, ...] | None = None  # group ids; None = the whole delegation
    speaker: str | None = None
    description: Localized | None = None
    remind: bool = False
    dress: str | None = None
    arrive_early: int | None = None  # minutes before the start to be seated
    bring: Localized | None = None
    status: EventStatus = "scheduled"

    @property
    def is_active(self) -> bool:
        return self.status == "scheduled"


@dataclass(frozen=True, slots=True)
class Forum:
    name: str
    city: str
    timezone: ZoneInfo
    venues: tuple[Venue, ...] = ()
    groups: tuple[Group, ...] = ()
    delegates: tuple[DelegateEntry, ...] = ()
    events: tuple[Event, ...] = field(default=())
    agreements: tuple[Agreement, ...] = ()
    transports: tuple[Transport, ...] = ()
    contacts: tuple[Contact, ...] = ()

    def transport(self, transport_id: str | None) -> Transport | None:
        return next((t for t in self.transports if t.id == transport_id), None)

    def venue(self, venue_id: str | None) -> Venue | None:
        return next((v for v in self.venues if v.id == venue_id), None)

    def group(self, group_id: str | None) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)


@dataclass(frozen=True, slots=True)
class Delegate:
    """A delegate as stored: a forum-file entry, an invitation, or a shared-code joiner."""

    id: int
    name: str
    position: str
    group: str | None
    role: str
    code: str | None
    source: str  # file | invite | shared
    telegram_id: int | None
    language: str | None
    reminders_on: bool
    reminder_offsets: tuple[float, ...] | None  # None = every configured offset
    registered_at: datetime | None
    blocked_at: datetime | None = None
    active: bool = True

    @property
    def registered(self) -> bool:
        return self.telegram_id is not None
