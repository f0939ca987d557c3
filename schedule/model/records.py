"""What the database and the rules share: attendance, notices, imports, the log, figures."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

from schedule.model.forum import Event
from schedule.model.kinds import EventStatus
from schedule.model.logistics import TransportChange, TransportImport


@dataclass(frozen=True, slots=True)
class EventRevision:
    """One change of an event's time, place or status, as the database recorded it."""

    event_id: str
    starts_before: datetime
    starts_after: datetime
    ends_before: datetime
    ends_after: datetime
    venue_before: str | None
    venue_after: str | None
    status_before: EventStatus
    status_after: EventStatus
    at: datetime


# What delegates are told about: the time or the place moved, or the event is off / back on.
_NOTICE_FIELDS = frozenset({"starts", "venue", "status"})


_EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))


Rsvp = Literal["yes", "no"]


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """One (event, delegate) row: the delegate's answer, check-in and an organiser's mark."""

    event_id: str
    delegate_id: int
    rsvp: Rsvp | None = None
    rsvp_at: datetime | None = None
    checked_in_at: datetime | None = None
    present: bool | None = None  # None unknown, True/False marked by an organiser
    marked_by: int | None = None  # the organiser's Telegram id
    marked_at: datetime | None = None

    @property
    def is_present(self) -> bool:
        """The latest evidence wins: a check-in after an "absent" mark counts as present."""
        if self.present is None or self.marked_at is None:
            return self.checked_in_at is not None
        if self.checked_in_at is not None and self.checked_in_at > self.marked_at:
            return True
        return self.present

    @property
    def present_since(self) -> datetime | None:
        """When the delegate was recorded present: their check-in, else the mark."""
        if not self.is_present:
            return None
        if self.checked_in_at is not None:
            return self.checked_in_at
        return self.marked_at


@dataclass(frozen=True, slots=True)
class Announced:
    """What an event's audience was last told of it (or first saw of it)."""

    starts: datetime
    ends: datetime
    venue: str | None
    audience: tuple[str, ...] | None
    status: EventStatus

    @classmethod
    def of(cls, event: Event) -> Announced:
        return cls(event.starts, event.ends, event.venue, event.audience, event.status)


@dataclass(frozen=True, slots=True)
class EventChange:
    """One event before and after an import, a move or a status change."""

    before: Event
    after: Event

    @property
    def fields(self) -> frozenset[str]:
        """Names of the :class:`Event` fields that differ ('starts', 'venue', 'status', ...)."""
        return frozenset(
            name
            for name in _EVENT_FIELDS
            if getattr(self.before, name) != getattr(self.after, name)
        )

    @property
    def notice_worthy(self) -> bool:
        """Whether delegates get a change notice: time, venue or status changed.

        A change between two inactive statuses (cancelled -> removed) or to an event that
        stays off is not: nobody expects to attend it.
        """
        if not self.fields & _NOTICE_FIELDS:
            return False
        return self.before.is_active or self.after.is_active


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. ``changed`` includes events removed from the file (status change)."""

    added: tuple[str, ...] = ()
    changed: tuple[EventChange, ...] = ()
    removed: tuple[str, ...] = ()
    delegates_added: int = 0
    delegates_changed: int = 0
    delegates_removed: int = 0
    transports: TransportImport = field(default_factory=lambda: TransportImport())
    contacts_changed: bool = False
    travel_changed: int = 0  # delegates whose hotel, arrival or departure changed
    removed_delegates: tuple[str, ...] = ()  # the names of those removed, by name

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.changed
            or self.removed
            or self.delegates_added
            or self.delegates_changed
            or self.delegates_removed
            or self.transports.added
            or self.transports.changed
            or self.contacts_changed
            or self.travel_changed
        )

    @property
    def programme_changes(self) -> tuple[EventChange | TransportChange, ...]:
        """What the change listeners hear of: events and departures changed or removed."""
        return (*self.changed, *self.transports.changed)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the organisers' log: who did what and when."""

    id: int
    organiser_id: int
    action: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Usage:
    """Who registered, in which language, and what went out in a span of time."""

    delegates: int
    registered: int
    by_language: tuple[tuple[str | None, int], ...]  # (language or None, registered delegates)
    reminders_sent: int
    check_ins: int


@dataclass(frozen=True, slots=True)
class BroadcastSummary:
    """One broadcast as /stats lists it."""

    id: int
    created_at: datetime
    confirm: bool
    total: int
    sent: int
    blocked: int
    failed: int
    unsent: int  # still pending or being sent
    confirmed: int
