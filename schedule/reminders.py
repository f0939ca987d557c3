"""Which reminders and change notices are due, and for whom (the morning briefings:
:mod:`schedule.briefings`).

Plain functions over the model; the clock is always a parameter and every instant is an
aware UTC datetime.

A reminder is identified by ``(event id, event start in UTC, offset)``: after a move the
new time's reminders are new keys, and the old time's reminders already sent are not
repeated. A reminder due before the event's ``scheduled_at`` (the moment its start was
last set) is superseded: the change notice told the delegates instead.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from schedule.model import Announced, Delegate, Event, parse_utc, utc_text
from schedule.rules import in_audience

# A reminder sent more than this after its due time is logged as late (sent at start).
LATE_AFTER = timedelta(seconds=5)
# A reminder stops being tried again this long before its event starts (at the latest).
RETRY_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    event_id: str
    delegate_id: int
    offset: float  # minutes before the start
    due_at: datetime
    starts: datetime
    first: bool  # the delegate's earliest reminder for this event (carries the RSVP buttons)

    @property
    def key(self) -> str:
        return reminder_key(self.event_id, self.starts, self.offset)


@dataclass(frozen=True, slots=True)
class DueReminder:
    reminder: PlannedReminder
    action: Literal["send", "skip"]
    late: bool = False
    reason: str | None = None  # why it is skipped


def reminder_due_at(event: Event, offset: float) -> datetime:
    return event.starts - timedelta(minutes=offset)


def reminder_key(event_id: str, starts: datetime, offset: float) -> str:
    """E.g. 'mou-tut@2023-09-14T09:30:00Z/60'."""
    return f"{event_id}@{utc_text(starts)}/{offset:g}"


def reachable(delegate: Delegate) -> bool:
    """Active, registered and not known to have blocked the bot."""
    return delegate.active and delegate.registered and delegate.blocked_at is None


def delegate_offsets(delegate: Delegate, configured: Sequence[float]) -> tuple[float, ...]:
    """The configured offsets this delegate chose, largest first (none if reminders are off)."""
    if not delegate.reminders_on:
        return ()
    if delegate.reminder_offsets is None:
        return tuple(sorted(configured, reverse=True))
    chosen = set(delegate.reminder_offsets)
    return tuple(sorted((o for o in configured if o in chosen), reverse=True))


def reminder_recipients(event: Event, delegates: Iterable[Delegate]) -> list[Delegate]:
    """Who may be reminded of ``event`` (their offsets aside)."""
    if not (event.is_active and event.remind):
        return []
    return [d for d in delegates if reachable(d) and in_audience(event, d.group)]


def planned_reminders(
    events: Iterable[Event],
    delegates: Sequence[Delegate],
    offsets: Sequence[float],
    scheduled_at: Mapping[str, datetime],
) -> list[PlannedReminder]:
    """Every reminder the programme calls for, whether due or not, by due time.

    ``scheduled_at`` maps event ids to when their start was last set; reminders due
    before that moment are superseded and not planned.
    """
    planned: list[PlannedReminder] = []
    for event in events:
        since = scheduled_at.get(event.id)
        for delegate in reminder_recipients(event, delegates):
            first = True
            for offset in delegate_offsets(delegate, offsets):
                due = reminder_due_at(event, offset)
                if since is not None and due < since:
                    continue
                planned.append(
                    PlannedReminder(event.id, delegate.id, offset, due, event.starts, first)
                )
                first = False
    planned.sort(key=lambda p: (p.due_at, p.event_id, p.delegate_id, -p.offset))
    return planned


def due_reminders(
    now: datetime, planned: Iterable[PlannedReminder], handled: set[tuple[str, int]]
) -> list[DueReminder]:
    """What to do now with the reminders due by ``now`` that nobody handled yet.

    ``handled`` holds ``(key, delegate_id)`` of the reminders already sent, skipped, blocked,
    failed or interrupted. Of an event that has started, every due reminder is skipped; of
    one that has not, a delegate gets only the reminder with the smallest offset (the
    others are skipped), late if the bot was down at its due time.
    """
    groups: dict[tuple[str, int], list[PlannedReminder]] = {}
    for p in planned:
        if p.due_at <= now and (p.key, p.delegate_id) not in handled:
            groups.setdefault((p.event_id, p.delegate_id), []).append(p)
    decisions: list[DueReminder] = []
    for group in groups.values():
        group.sort(key=lambda p: p.offset)
        if group[0].starts <= now:
            decisions.extend(DueReminder(p, "skip", reason="the event has started") for p in group)
            continue
        kept = group[0]
        if any(p.first for p in group):
            kept = replace(kept, first=True)
        decisions.append(DueReminder(kept, "send", late=now - kept.due_at > LATE_AFTER))
        decisions.extend(
            DueReminder(p, "skip", reason="a later reminder replaces it") for p in group[1:]
        )
    return decisions


def reminder_retry_until(starts: datetime, due_at: datetime) -> datetime:
    """Until when a reminder that meets an outage is tried again: shortly before its
    event starts (a minute before, or halfway between its due time and the start when
    that is nearer); after that it is no use and is recorded as failed."""
    return starts - min(RETRY_MARGIN, (starts - due_at) / 2)


def notice_retry_until(event: Event) -> datetime:
    """A change notice is tried again until the event it is about has ended."""
    return event.ends


# ---------------------------------------------------------------- change notices


def unannounced(
    events: Iterable[Event], announced: Mapping[str, Announced], now: datetime
) -> tuple[list[Event], list[tuple[Event, Event]]]:
    """(events whose state is to be recorded as announced, (before, after) to tell).

    Compares each event with what its audience last knew, whatever changed it and however
    many times: a move and a move back untold are nothing to tell, two moves untold are one
    notice. A new event is recorded silently; so is a change to an event that is over, or
    one that leaves it inactive, or that touches neither its time, place nor status.
    """
    record: list[Event] = []
    tell: list[tuple[Event, Event]] = []
    for event in events:
        known = announced.get(event.id)
        if known == Announced.of(event):
            continue
        record.append(event)
        if known is None:
            continue
        before = replace(
            event,
            starts=known.starts,
            ends=known.ends,
            venue=known.venue,
            audience=known.audience,
            status=known.status,
        )
        # Times are shown to the minute: a shift of seconds would read "now 17:35, was 17:35".
        told = (to_minute(before.starts), before.venue, before.status)
        if (
            told != (to_minute(event.starts), event.venue, event.status)
            and (before.is_active or event.is_active)
            and max(before.ends, event.ends) > now
        ):
            tell.append((before, event))
    return record, tell


def to_minute(moment: datetime) -> datetime:
    """A change is told to the minute (how times are shown), for events and departures."""
    return moment.replace(second=0, microsecond=0)


def notice_recipients(
    before: Event,
    after: Event,
    delegates: Iterable[Delegate],
    told_off: Collection[int] | None = None,
) -> list[Delegate]:
    """Everyone reachable in the event's audience, before or after the change.

    Change notices go to delegates who turned reminders off too: a moved signing is news.
    An event back in the programme is news only to those who were told it was off
    (``told_off``, their ids): the others, away when it was removed, never missed it.
    """
    back = not before.is_active and after.is_active
    return [
        d
        for d in delegates
        if reachable(d)
        and (in_audience(before, d.group) or in_audience(after, d.group))
        and not (back and told_off is not None and d.id not in told_off)
    ]


def notice_key(before: Event, after: Event, version: str) -> str:
    """What changed, as stored text: the event, its row version, the state before and after.

    ``version`` (the event row's ``updated_at``) tells apart two changes to the same state.
    """
    return json.dumps(
        {
            "e": after.id,
            "v": version,
            "from": [utc_text(before.starts), before.status, before.venue],
            "to": [utc_text(after.starts), after.status, after.venue],
        },
        separators=(",", ":"),
        sort_keys=True,
    )


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """A change notice's content, read back from its key."""

    event_id: str
    before_starts: datetime
    before_status: str
    before_venue: str | None
    after_starts: datetime
    after_status: str
    after_venue: str | None

    @property
    def moved(self) -> bool:
        return self.before_starts != self.after_starts

    @property
    def new_venue(self) -> bool:
        return self.before_venue != self.after_venue


def notice_facts(key: str) -> NoticeFacts:
    data = json.loads(key)

    (b_starts, b_status, b_venue), (a_starts, a_status, a_venue) = data["from"], data["to"]
    return NoticeFacts(
        data["e"], parse_utc(b_starts), b_status, b_venue, parse_utc(a_starts), a_status, a_venue
    )
