"""What the report of the visit contains, as plain data, and the rules that put it together:
the delegation in protocol order, each event's outcome and attendance, what was moved or
cancelled. Rendering it (Word, a spreadsheet) is ``bot/views``'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from schedule.attendance import AttendanceRecord, roll_call
from schedule.model import Agreement, Delegate, Event, EventRevision, Forum

EventOutcome = Literal["held", "under way", "upcoming", "cancelled"]


@dataclass(frozen=True, slots=True)
class HeldEvent:
    """One event of the programme with its attendance: present of those it concerns."""

    event: Event
    present: int
    expected: int


@dataclass(frozen=True, slots=True)
class ProgrammeChange:
    """An event that ended up other than first planned: its first time and place, and the
    event as it is now (moved, somewhere else, cancelled or removed)."""

    event: Event
    first_starts: datetime
    first_ends: datetime
    first_venue: str | None

    @property
    def moved(self) -> bool:
        return self.first_starts != self.event.starts

    @property
    def new_venue(self) -> bool:
        return self.first_venue != self.event.venue

    @property
    def called_off(self) -> bool:
        return not self.event.is_active


@dataclass(frozen=True, slots=True)
class ReportPhoto:
    """A photo of a signing; ``content`` None when Telegram did not hand it over."""

    file_id: str
    content: bytes | None


@dataclass(frozen=True, slots=True)
class VisitReport:
    forum: Forum
    delegates: tuple[Delegate, ...]  # in protocol order (see delegation_order)
    programme: tuple[HeldEvent, ...]
    agreements: tuple[Agreement, ...]
    signatories: Mapping[str, Delegate]  # by personal code
    photos: Mapping[str, tuple[ReportPhoto, ...]]  # by agreement id
    changes: tuple[ProgrammeChange, ...]
    made_at: datetime
    events: Mapping[str, Event] = field(default_factory=dict)  # every event, by id

    def event(self, event_id: str | None) -> Event | None:
        return self.events.get(event_id) if event_id else None


def delegation_order(delegates: Iterable[Delegate]) -> list[Delegate]:
    """The head of delegation first, then everyone else in the order they were listed."""
    return sorted(delegates, key=lambda d: (d.role != "head", d.id))


def event_outcome(event: Event, now: datetime) -> EventOutcome:
    if not event.is_active:
        return "cancelled"
    if event.ends <= now:
        return "held"
    if event.starts <= now:
        return "under way"
    return "upcoming"


def held_programme(
    events: Iterable[Event],
    delegates: Sequence[Delegate],
    records: Sequence[AttendanceRecord],
) -> list[HeldEvent]:
    """Every event still in the programme (cancelled ones too), by start, with how many of
    those it concerns were present."""
    held = []
    for event in sorted(events, key=lambda e: (e.starts, e.id)):
        if event.status == "removed":
            continue
        call = roll_call(event, delegates, records)
        held.append(HeldEvent(event, len(call.present), len(call.entries)))
    return held


def programme_changes(
    events: Iterable[Event], revisions: Iterable[EventRevision]
) -> list[ProgrammeChange]:
    """The events moved, sent elsewhere, cancelled or removed, against their first time and
    place (``revisions`` oldest first); an event moved and moved back is not a change. By
    first planned start."""
    first: dict[str, EventRevision] = {}
    for revision in revisions:
        first.setdefault(revision.event_id, revision)
    changes = []
    for event in events:
        seen = first.get(event.id)
        change = ProgrammeChange(
            event=event,
            first_starts=seen.starts_before if seen else event.starts,
            first_ends=seen.ends_before if seen else event.ends,
            first_venue=seen.venue_before if seen else event.venue,
        )
        if change.moved or change.new_venue or change.called_off:
            changes.append(change)
    return sorted(changes, key=lambda c: (c.first_starts, c.event.id))
