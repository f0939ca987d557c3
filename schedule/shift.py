"""Moving a whole forum in time, for rehearsals and the offline demo.

A forum from last year is useless to try the bot with: ``/schedule`` shows old days and no
reminder ever fires. Shifting it so that its first day is today, and one event starts a few
minutes from now, turns the sample into a live rehearsal without touching its order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta

from schedule.model import DelegateEntry, Event, Forum, Journey, Transport
from schedule.rules import forum_days


def _mover(days: int, forum: Forum) -> Callable[[datetime], datetime]:
    """The same wall-clock time in the forum's zone, ``days`` later (DST-safe)."""
    tz = forum.timezone

    def move(moment: datetime) -> datetime:
        local = moment.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
        return local.replace(tzinfo=tz).astimezone(moment.tzinfo)

    return move


def _move_days(event: Event, days: int, forum: Forum) -> Event:
    move = _mover(days, forum)
    return dataclasses.replace(event, starts=move(event.starts), ends=move(event.ends))


def _move_logistics(forum: Forum, move: Callable[[datetime], datetime]) -> Forum:
    """Departures and the delegates' arrivals and departures moved with the programme."""

    def ride(t: Transport) -> Transport:
        arrives = move(t.arrives) if t.arrives is not None else None
        return dataclasses.replace(t, departs=move(t.departs), arrives=arrives)

    def journey(j: Journey | None) -> Journey | None:
        return None if j is None else dataclasses.replace(j, at=move(j.at))

    def person(d: DelegateEntry) -> DelegateEntry:
        return dataclasses.replace(d, arrival=journey(d.arrival), departure=journey(d.departure))

    return dataclasses.replace(
        forum,
        transports=tuple(ride(t) for t in forum.transports),
        delegates=tuple(person(d) for d in forum.delegates),
    )


def shift_forum(
    forum: Forum,
    *,
    first_day: date,
    anchor_event_id: str | None = None,
    anchor_start: datetime | None = None,
) -> Forum:
    """The forum moved so that its first day is ``first_day`` (in the forum's timezone).

    Without an anchor every event keeps its local wall-clock time, whole days later or
    earlier. With ``anchor_event_id`` and ``anchor_start`` (an aware instant) the whole
    programme then moves rigidly so that the anchor starts at ``anchor_start``: durations,
    gaps and the order of events are kept, and wall-clock times change by the same amount.
    Pick the anchor on the first day to keep that day's events on ``first_day``.

    Raises ``ValueError`` for an unknown anchor or an anchor without an instant.
    """
    if (anchor_event_id is None) != (anchor_start is None):
        raise ValueError("give both anchor_event_id and anchor_start, or neither")
    if anchor_start is not None and anchor_start.tzinfo is None:
        raise ValueError("anchor_start must be an aware datetime")
    days = forum_days(forum.events, forum.timezone)
    if not days:
        return forum
    offset = (first_day - days[0]).days
    events = [_move_days(e, offset, forum) for e in forum.events]
    forum = _move_logistics(forum, _mover(offset, forum))
    if anchor_event_id is not None:
        anchor = next((e for e in events if e.id == anchor_event_id), None)
        if anchor is None:
            raise ValueError(f"no event {anchor_event_id!r} in the forum")
        assert anchor_start is not None
        delta = anchor_start - anchor.starts
        events = [
            dataclasses.replace(e, starts=e.starts + delta, ends=e.ends + delta) for e in events
        ]
        forum = _move_logistics(forum, lambda moment: moment + delta)
    return dataclasses.replace(forum, events=tuple(events))


def first_reminded_event(forum: Forum) -> Event | None:
    """The earliest active event with a reminder: a good anchor for a rehearsal."""
    reminded = [e for e in forum.events if e.remind and e.is_active]
    return min(reminded, key=lambda e: (e.starts, e.id), default=None)
