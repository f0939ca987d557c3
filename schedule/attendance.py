"""Attendance rules: when RSVP and check-in are open, and how a roll-call is grouped.

Plain functions over the model; the clock is always a parameter. The database layer
(``db/attendance.py``) stores :class:`AttendanceRecord`; the handlers render the
:class:`RollCall` built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from schedule.model import AttendanceRecord, Delegate, Event, Rsvp
from schedule.rules import Viewer, concerns, in_audience

CHECK_IN_OPENS = timedelta(minutes=30)




def check_in_open(event: Event, now: datetime) -> bool:
    """Check-in runs from 30 minutes before the start until the end, for active events."""
    return event.is_active and event.starts - CHECK_IN_OPENS <= now < event.ends


def rsvp_open(event: Event, now: datetime) -> bool:
    """An answer can be given or changed until the event starts."""
    return event.is_active and now < event.starts


def open_for_check_in(events: Iterable[Event], viewer: Viewer, now: datetime) -> list[Event]:
    """The events that concern ``viewer`` and accept check-in at ``now``, by start."""
    # check_in_open, with the window's edge worked out once for a whole agenda (every
    # /checkin looks through it).
    opened_by = now + CHECK_IN_OPENS
    return sorted(
        (
            e
            for e in events
            if e.starts <= opened_by and now < e.ends and e.is_active and concerns(e, viewer)
        ),
        key=lambda e: (e.starts, e.id),
    )


def next_check_in(events: Iterable[Event], viewer: Viewer, now: datetime) -> Event | None:
    """The next event concerning ``viewer`` whose check-in has not opened yet."""
    return min(
        (
            e
            for e in events
            if e.is_active and concerns(e, viewer) and e.starts - CHECK_IN_OPENS > now
        ),
        key=lambda e: (e.starts, e.id),
        default=None,
    )


# Why a check-in or an answer is refused; None means it may go ahead.
Refusal = Literal["unknown", "audience", "closed"]


def check_in_refusal(event: Event | None, viewer: Viewer, now: datetime) -> Refusal | None:
    if event is None or not event.is_active:
        return "unknown"
    if not concerns(event, viewer):
        return "audience"
    if not check_in_open(event, now):
        return "closed"
    return None


def rsvp_refusal(event: Event | None, viewer: Viewer, now: datetime) -> Refusal | None:
    if event is None or not event.is_active:
        return "unknown"
    if not concerns(event, viewer):
        return "audience"
    if not rsvp_open(event, now):
        return "closed"
    return None


@dataclass(frozen=True, slots=True)
class RollCallEntry:
    delegate: Delegate
    record: AttendanceRecord | None

    @property
    def rsvp(self) -> Rsvp | None:
        return self.record.rsvp if self.record else None

    @property
    def present_since(self) -> datetime | None:
        return self.record.present_since if self.record else None

    @property
    def marked_absent(self) -> bool:
        return self.record is not None and self.record.present is False


@dataclass(frozen=True, slots=True)
class RollCall:
    """An event's delegates in four groups, each by name."""

    event: Event
    present: tuple[RollCallEntry, ...]
    expected: tuple[RollCallEntry, ...]  # said yes, not present
    declined: tuple[RollCallEntry, ...]  # said no, not present
    no_answer: tuple[RollCallEntry, ...]  # no answer, not present

    @property
    def counts(self) -> dict[str, int]:
        return {
            "present": len(self.present),
            "expected": len(self.expected),
            "declined": len(self.declined),
            "no_answer": len(self.no_answer),
        }

    @property
    def entries(self) -> tuple[RollCallEntry, ...]:
        return self.present + self.expected + self.declined + self.no_answer


def roll_call(
    event: Event, delegates: Iterable[Delegate], records: Iterable[AttendanceRecord]
) -> RollCall:
    """Group the event's delegates: its active audience, plus anyone already recorded.

    Unregistered delegates are included: an organiser marks a signatory without a phone.
    """
    by_delegate = {r.delegate_id: r for r in records if r.event_id == event.id}
    people = [
        d for d in delegates if (d.active and in_audience(event, d.group)) or d.id in by_delegate
    ]
    people.sort(key=lambda d: (d.name.casefold(), d.id))
    groups: dict[str, list[RollCallEntry]] = {
        "present": [],
        "expected": [],
        "declined": [],
        "no_answer": [],
    }
    for delegate in people:
        record = by_delegate.get(delegate.id)
        entry = RollCallEntry(delegate, record)
        if record is not None and record.is_present:
            groups["present"].append(entry)
        elif entry.rsvp == "yes":
            groups["expected"].append(entry)
        elif entry.rsvp == "no":
            groups["declined"].append(entry)
        else:
            groups["no_answer"].append(entry)
    return RollCall(
        event=event,
        present=tuple(groups["present"]),
        expected=tuple(groups["expected"]),
        declined=tuple(groups["declined"]),
        no_answer=tuple(groups["no_answer"]),
    )


def roll_call_event(events: Iterable[Event], event_id: str) -> Event | None:
    """The event an organiser names for a roll-call: any but one removed from the file."""
    return next((e for e in events if e.id == event_id and e.status != "removed"), None)


def listed_events(events: Iterable[Event]) -> list[Event]:
    """The events organisers still see (cancelled included, removed not), in time order."""
    return sorted((e for e in events if e.status != "removed"), key=lambda e: (e.starts, e.id))


def may_mark(event: Event, person: Delegate, recorded: AttendanceRecord | None) -> bool:
    """An organiser marks the event's active audience, or anyone already recorded for it."""
    return recorded is not None or (person.active and in_audience(event, person.group))
