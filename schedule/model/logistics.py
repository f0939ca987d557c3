"""Cars and buses, contacts, and a delegate's own arrival and departure."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from schedule.model.kinds import EventStatus
from schedule.model.texts import Localized


@dataclass(frozen=True, slots=True)
class Journey:
    """A delegate's own arrival in or departure from the forum's city."""

    at: datetime  # aware UTC
    place: str | None = None  # a venue id (the airport, the station)
    flight: str | None = None


@dataclass(frozen=True, slots=True)
class Travel:
    """A delegate's programme of stay: hotel, arrival, departure (each may be unknown)."""

    hotel: str | None = None
    arrival: Journey | None = None
    departure: Journey | None = None

    @property
    def is_empty(self) -> bool:
        return self.hotel is None and self.arrival is None and self.departure is None


@dataclass(frozen=True, slots=True)
class Transport:
    """A car, bus or walk the protocol office assigns: from a venue to a venue at a time.

    ``audience`` holds group ids and delegate codes; None = the whole delegation.
    """

    id: str
    kind: str
    departs: datetime  # aware UTC
    origin: str  # venue id ("from" in the forum file)
    destination: str  # venue id ("to")
    arrives: datetime | None = None
    meeting_point: Localized | None = None
    vehicle: str | None = None
    driver: str | None = None
    phone: str | None = None
    audience: tuple[str, ...] | None = None
    event: str | None = None  # the event it takes people to
    status: EventStatus = "scheduled"

    @property
    def is_active(self) -> bool:
        return self.status == "scheduled"


@dataclass(frozen=True, slots=True)
class Contact:
    """Whom to call: the delegation's protocol officer, an interpreter, the driver pool..."""

    role: str
    name: str
    phone: str | None = None
    telegram: str | None = None  # a username, without @
    audience: tuple[str, ...] | None = None  # group ids and delegate codes; None = everyone
    note: Localized | None = None


@dataclass(frozen=True, slots=True)
class TransportChange:
    """One departure before and after an import, a move or a status change."""

    before: Transport
    after: Transport

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(
            f.name for f in fields(Transport)
            if getattr(self.before, f.name) != getattr(self.after, f.name)
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TransportImport:
    """What an import did to the transport (``changed`` includes those removed)."""

    added: tuple[str, ...] = ()
    changed: tuple[TransportChange, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnnouncedDeparture:
    """What a departure's riders were last told of it (or first saw of it)."""

    departs: datetime
    origin: str
    meeting_point: Localized | None
    audience: tuple[str, ...] | None
    status: EventStatus

    @classmethod
    def of(cls, t: Transport) -> AnnouncedDeparture:
        return cls(t.departs, t.origin, t.meeting_point, t.audience, t.status)
