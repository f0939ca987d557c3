"""The forum's vocabulary: venues, groups, delegates, events, agreements, transport.

Plain frozen dataclasses shared by the forum file parser, the database layer and the
rules, one module a family; everything is importable from ``schedule.model``. Nothing
here knows about Telegram or SQLite.
"""

from __future__ import annotations

from schedule.model.agreements import Agreement, AgreementPhoto, AgreementState
from schedule.model.forum import Delegate, DelegateEntry, Event, Forum, Group, Venue
from schedule.model.instants import parse_utc, utc_text
from schedule.model.kinds import (
    AGREEMENT_KINDS,
    AGREEMENT_STATUSES,
    CONTACT_ROLES,
    EVENT_KINDS,
    LANGUAGES,
    REMINDED_KINDS,
    ROLES,
    TRANSPORT_KINDS,
    AgreementStatus,
    EventStatus,
)
from schedule.model.logistics import (
    AnnouncedDeparture,
    Contact,
    Journey,
    Transport,
    TransportChange,
    TransportImport,
    Travel,
)
from schedule.model.records import (
    Announced,
    AttendanceRecord,
    BroadcastSummary,
    EventChange,
    EventRevision,
    ImportReport,
    LogEntry,
    Rsvp,
    Usage,
)
from schedule.model.texts import Localized

__all__ = [
    "AGREEMENT_KINDS",
    "AGREEMENT_STATUSES",
    "CONTACT_ROLES",
    "EVENT_KINDS",
    "LANGUAGES",
    "REMINDED_KINDS",
    "ROLES",
    "TRANSPORT_KINDS",
    "Agreement",
    "AgreementPhoto",
    "AgreementState",
    "AgreementStatus",
    "Announced",
    "AnnouncedDeparture",
    "AttendanceRecord",
    "BroadcastSummary",
    "Contact",
    "Delegate",
    "DelegateEntry",
    "Event",
    "EventChange",
    "EventRevision",
    "EventStatus",
    "Forum",
    "Group",
    "ImportReport",
    "Journey",
    "Localized",
    "LogEntry",
    "Rsvp",
    "Transport",
    "TransportChange",
    "TransportImport",
    "Travel",
    "Usage",
    "Venue",
    "parse_utc",
    "utc_text",
]
