"""Departure reminders, departure change notices and "I'm running late", as rules.

Like event reminders (:mod:`schedule.reminders`): a departure reminder is identified by
the transport, its departure instant and the offset, so after a move the new time is a
new reminder and one already sent is not repeated; a reminder due before the moment the
departure was last set is superseded by the change notice. Keys carry a prefix so that
they never meet an event's in the same delivery table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from schedule.model import AnnouncedDeparture, Delegate, Transport, parse_utc
from schedule.reminders import LATE_AFTER, reachable, to_minute, utc_text
from schedule.transport import Rider, is_for

PREFIX = "departure:"
DEFAULT_REMINDER_MINUTES = 15
# "I'm running late" is heard from any time before the departure until this long after it.
LATE_WINDOW = timedelta(minutes=30)


def rider(delegate: Delegate) -> Rider:
    return Rider(group=delegate.group, code=delegate.code)


def rides(transport: Transport, delegate: Delegate) -> bool:
    return is_for(transport.audience, rider(delegate))


def is_departure_key(key: str) -> bool:
    return key.startswith(PREFIX)


# ---------------------------------------------------------------- reminders


def departure_reminder_key(transport_id: str, departs: datetime, minutes: float) -> str:
    """E.g. 'departure:bus-14-morning@2023-09-14T04:00:00Z/15'."""
    return f"{PREFIX}{transport_id}@{utc_text(departs)}/{minutes:g}"


@dataclass(frozen=True, slots=True)
class PlannedDeparture:
    transport_id: str
    delegate_id: int
    due_at: datetime
    departs: datetime
    minutes: float

    @property
    def key(self) -> str:
        return departure_reminder_key(self.transport_id, self.departs, self.minutes)


@dataclass(frozen=True, slots=True)
class DueDeparture:
    planned: PlannedDeparture
    action: Literal["send", "skip"]
    late: bool = False
    reason: str | None = None


def departure_recipients(transport: Transport, delegates: Iterable[Delegate]) -> list[Delegate]:
    """Who is reminded of ``transport``: reachable riders who keep reminders on."""
    if not transport.is_active:
        return []
    return [d for d in delegates if reachable(d) and d.reminders_on and rides(transport, d)]


def planned_departure_reminders(
    transports: Iterable[Transport],
    delegates: Sequence[Delegate],
    minutes: float,
    scheduled_at: Mapping[str, datetime],
) -> list[PlannedDeparture]:
    """One reminder per rider, ``minutes`` before each active departure, by due time.

    ``scheduled_at`` maps transport ids to when their departure was last set: a reminder
    due before that is superseded (the change notice told the riders) and not planned.
    """
    planned: list[PlannedDeparture] = []
    for transport in transports:
        due = transport.departs - timedelta(minutes=minutes)
        since = scheduled_at.get(transport.id)
        if since is not None and due < since:
            continue
        for delegate in departure_recipients(transport, delegates):
            planned.append(
                PlannedDeparture(transport.id, delegate.id, due, transport.departs, minutes)
            )
    planned.sort(key=lambda p: (p.due_at, p.transport_id, p.delegate_id))
    return planned


def due_departure_reminders(
    now: datetime, planned: Iterable[PlannedDeparture], handled: Collection[tuple[str, int]]
) -> list[DueDeparture]:
    """What to do now with the departure reminders due by ``now`` not handled yet: sent
    (late if the bot was down at the due time) while the car has not left, else skipped."""
    decisions: list[DueDeparture] = []
    for p in planned:
        if p.due_at > now or (p.key, p.delegate_id) in handled:
            continue
        if p.departs <= now:
            decisions.append(DueDeparture(p, "skip", reason="the transport has left"))
        else:
            decisions.append(DueDeparture(p, "send", late=now - p.due_at > LATE_AFTER))
    return decisions


def departure_due_instants(
    transports: Iterable[Transport], minutes: float, now: datetime
) -> list[datetime]:
    """The future instants at which departure reminders fall due (for the scheduler)."""
    return sorted(
        {
            t.departs - timedelta(minutes=minutes)
            for t in transports
            if t.is_active and t.departs - timedelta(minutes=minutes) > now
        }
    )


# ---------------------------------------------------------------- change notices


def _place_digest(transport: Transport) -> str:
    """The origin and meeting point, short: a key must tell a new meeting point apart."""
    point = transport.meeting_point.as_dict() if transport.meeting_point else None
    text = json.dumps([transport.origin, point], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def unannounced_departures(
    transports: Iterable[Transport], announced: Mapping[str, AnnouncedDeparture], now: datetime
) -> tuple[list[Transport], list[tuple[Transport, Transport]]]:
    """(departures to record as announced, (before, after) to tell).

    Told: a new time (to the minute), a new place to meet (origin or meeting point), or a
    cancellation or reinstatement, of a departure that has not left yet. A new departure
    is recorded silently; so is a change of the vehicle or the driver (the reminder says).
    """
    record: list[Transport] = []
    tell: list[tuple[Transport, Transport]] = []
    for t in transports:
        known = announced.get(t.id)
        if known == AnnouncedDeparture.of(t):
            continue
        record.append(t)
        if known is None:
            continue
        before = replace(
            t,
            departs=known.departs,
            origin=known.origin,
            meeting_point=known.meeting_point,
            audience=known.audience,
            status=known.status,
        )
        told = (to_minute(before.departs), _place_digest(before), before.status)
        if (
            told != (to_minute(t.departs), _place_digest(t), t.status)
            and (before.is_active or t.is_active)
            and max(before.departs, t.departs) > now
        ):
            tell.append((before, t))
    return record, tell


def departure_notice_recipients(
    before: Transport, after: Transport, delegates: Iterable[Delegate]
) -> list[Delegate]:
    """Every reachable rider before or after the change (reminders off or not)."""
    return [d for d in delegates if reachable(d) and (rides(before, d) or rides(after, d))]


def departure_notice_key(before: Transport, after: Transport, version: str) -> str:
    body = json.dumps(
        {
            "t": after.id,
            "v": version,
            "from": [utc_text(before.departs), before.status, _place_digest(before)],
            "to": [utc_text(after.departs), after.status, _place_digest(after)],
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    return PREFIX + body


@dataclass(frozen=True, slots=True)
class DepartureNoticeFacts:
    transport_id: str
    before_departs: datetime
    before_status: str
    after_departs: datetime
    after_status: str
    new_place: bool

    @property
    def moved(self) -> bool:
        return self.before_departs != self.after_departs


def departure_notice_facts(key: str) -> DepartureNoticeFacts:
    if not is_departure_key(key):
        raise ValueError(f"not a departure notice: {key!r}")
    data = json.loads(key[len(PREFIX) :])
    (b_departs, b_status, b_place), (a_departs, a_status, a_place) = data["from"], data["to"]
    new_place = b_place != a_place
    return DepartureNoticeFacts(
        data["t"], parse_utc(b_departs), b_status, parse_utc(a_departs), a_status, new_place
    )


# ---------------------------------------------------------------- running late

LateVerdict = Literal["alert", "again", "left", "cancelled", "not_yours"]


def running_late(
    transport: Transport, delegate: Delegate, now: datetime, *, already: bool
) -> LateVerdict:
    """What a press of "I'm running late" does: an alert the first time per departure
    (``already`` says whether this delegate pressed for this departure time before)."""
    if not rides(transport, delegate):
        return "not_yours"
    if not transport.is_active:
        return "cancelled"
    if now > transport.departs + LATE_WINDOW:
        return "left"
    return "again" if already else "alert"


def late_alert_recipients(
    delegates: Iterable[Delegate], organiser_ids: Iterable[int], presser: int | None
) -> list[int]:
    """Telegram ids to alert: registered protocol delegates and the organisers, once each,
    not the one who pressed."""
    ids = [d.telegram_id for d in delegates if d.role == "protocol" and reachable(d)]
    ids.extend(organiser_ids)
    return [i for i in dict.fromkeys(ids) if i is not None and i != presser]
