"""The forum's vocabulary: venues, groups, delegates and events.

Plain frozen dataclasses shared by the forum file parser, the database layer and the
rules. Nothing here knows about Telegram or SQLite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from schedule.fallback import localized_text

# uz is Uzbek in the Latin alphabet, uz-Cyrl in the Cyrillic one.
LANGUAGES: tuple[str, ...] = ("en", "ru", "uz", "uz-Cyrl", "tg", "kk", "ky", "tk")
EVENT_KINDS: tuple[str, ...] = ("signing", "lecture", "visit", "plenary", "meeting", "other")
ROLES: tuple[str, ...] = ("head", "member", "protocol", "interpreter", "staff")
REMINDED_KINDS: frozenset[str] = frozenset({"signing", "lecture"})
AGREEMENT_KINDS: tuple[str, ...] = ("memorandum", "agreement", "contract", "protocol", "other")
AGREEMENT_STATUSES: tuple[str, ...] = ("planned", "ready", "signed", "postponed", "cancelled")
TRANSPORT_KINDS: tuple[str, ...] = ("bus", "car", "minibus", "walk", "other")
CONTACT_ROLES: tuple[str, ...] = (
    "protocol", "interpreter", "transport", "security", "medical", "organiser", "embassy", "other",
)  # fmt: skip

EventStatus = Literal["scheduled", "cancelled", "removed"]
AgreementStatus = Literal["planned", "ready", "signed", "postponed", "cancelled"]


@dataclass(frozen=True, slots=True)
class Localized:
    """A text given in one or more languages; a missing one falls back as
    ``schedule.fallback.localized_text`` says."""

    texts: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    @classmethod
    def plain(cls, text: str) -> Localized:
        return cls({"en": text})

    def get(self, lang: str | None) -> str:
        return localized_text(self.texts, lang)

    def as_dict(self) -> dict[str, str]:
        return dict(self.texts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and dict(self.texts) == dict(other.texts)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.texts.items())))


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
class Agreement:
    """A document the delegation signs: what the forum file says of it, and the status.

    Parsed from a file, ``status`` is the file's; stored, it is the current one (an
    organiser may have set it in the bot), and ``signed_by``/``signed_at`` say who marked it
    signed (a Telegram id) and when (aware UTC).
    """

    id: str
    kind: str
    title: Localized
    partner: str
    partner_country: str | None = None  # ISO 3166-1 alpha-2
    event: str | None = None  # the signing event's id
    signatories: tuple[str, ...] = ()  # delegate codes: who signs for the delegation
    partner_signatories: tuple[str, ...] = ()
    scope: tuple[Localized, ...] = ()  # the items of cooperation
    copies: int | None = None  # copies to bring to the signing
    status: AgreementStatus = "planned"
    signed_by: int | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AgreementState:
    """An agreement's stored status: the current one, the file's at the last import, and
    who marked it signed (an organiser's Telegram id) and when."""

    status: AgreementStatus
    file_status: AgreementStatus
    signed_by: int | None = None
    signed_at: datetime | None = None

    def reimported(self, file_status: AgreementStatus) -> AgreementState:
        """A status set in the bot is kept across re-imports unless the file's own status
        for the agreement changed; then the file's new status wins. The record of a
        signature is kept only while the agreement stays signed."""
        if file_status == self.file_status:
            return self
        if self.status == "signed" and file_status == "signed":
            return AgreementState("signed", file_status, self.signed_by, self.signed_at)
        return AgreementState(file_status, file_status)

    def changed_to(
        self, status: AgreementStatus, organiser: int, now: datetime
    ) -> AgreementState:
        """An organiser set ``status`` (see ``schedule.agreements.status_refusal``): signing
        records who and when; leaving "signed" forgets it."""
        if status == "signed":
            return AgreementState(status, self.file_status, organiser, now)
        return AgreementState(status, self.file_status)


@dataclass(frozen=True, slots=True)
class AgreementPhoto:
    """A photo of a signing, kept as Telegram's ``file_id`` (the bytes stay with Telegram)."""

    agreement_id: str
    file_id: str
    file_unique_id: str
    added_by: int
    added_at: datetime


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


# What the database and the rules share about attendance, notices and imports.

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


# ---------------------------------------------------------------- figures for /stats


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


# ---------------------------------------------------------------- the instant codec


def utc_text(moment: datetime, *, micro: bool = False) -> str:
    """An aware instant as sortable UTC text: to the second for keys (reminders, notices),
    to the microsecond in the database."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no instant")
    return moment.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ"
    )


def parse_utc(text: str) -> datetime:
    """:func:`utc_text` read back, as an aware UTC instant."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# ---------------------------------------------------------------- logistics


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
