"""Which morning briefings are due, and for whom: at 08:00 forum time, each forum day.

Plain functions over the model, like the reminders (:mod:`schedule.reminders`); a briefing
is identified by the delegate and the forum-local day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedule.model import Delegate, Event
from schedule.reminders import reachable
from schedule.rules import in_audience, local_day

BRIEFING_TIME = time(8, 0)


@dataclass(frozen=True, slots=True)
class PlannedBriefing:
    delegate_id: int
    day: date  # forum-local date
    due_at: datetime

    @property
    def key(self) -> str:
        return self.day.isoformat()


def briefing_due_at(day: date, tz: ZoneInfo) -> datetime:
    """08:00 forum time on ``day``, as a UTC instant."""
    return datetime.combine(day, BRIEFING_TIME, tzinfo=tz).astimezone(UTC)


def briefing_events(
    events: Iterable[Event], delegate: Delegate, day: date, tz: ZoneInfo
) -> list[Event]:
    """The day's active events of the delegate's audience, by start time."""
    return sorted(
        (
            e
            for e in events
            if e.is_active and in_audience(e, delegate.group) and local_day(e.starts, tz) == day
        ),
        key=lambda e: (e.starts, e.id),
    )


def planned_briefings(
    events: Sequence[Event], delegates: Iterable[Delegate], tz: ZoneInfo
) -> list[PlannedBriefing]:
    """One briefing per reachable delegate with reminders on, per day they have events,
    from the first 08:00 after they registered."""
    planned: list[PlannedBriefing] = []
    # Each event's day once, and the days once per audience group: delegates share groups,
    # and a day per (delegate, event) cost 0.3 s at every wake-up for 1,000 x 200.
    active = [(e, local_day(e.starts, tz)) for e in events if e.is_active]
    days_of: dict[str | None, set[date]] = {}
    for delegate in delegates:
        if not (reachable(delegate) and delegate.reminders_on):
            continue
        days = days_of.get(delegate.group)
        if days is None:
            days = {day for e, day in active if in_audience(e, delegate.group)}
            days_of[delegate.group] = days
        # A delegate who registers after 08:00 starts with the next day's briefing: a "good
        # morning" at whatever hour the next reminder wakes the bot would make no sense.
        since = delegate.registered_at
        for day in days:
            due = briefing_due_at(day, tz)
            if since is None or due >= since:
                planned.append(PlannedBriefing(delegate.id, day, due))
    planned.sort(key=lambda b: (b.due_at, b.delegate_id))
    return planned


def briefing_retry_until(day: date, tz: ZoneInfo) -> datetime:
    """A morning briefing is tried again until its forum day is over."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz).astimezone(UTC)


def due_briefings(
    now: datetime, planned: Iterable[PlannedBriefing], handled: set[tuple[str, int]], tz: ZoneInfo
) -> tuple[list[PlannedBriefing], list[PlannedBriefing]]:
    """(to send, to skip): a briefing missed while the bot was down is still sent the same
    forum day, and skipped once that day is over."""
    today = local_day(now, tz)
    send: list[PlannedBriefing] = []
    skip: list[PlannedBriefing] = []
    for b in planned:
        if b.due_at <= now and (b.key, b.delegate_id) not in handled:
            (send if b.day == today else skip).append(b)
    return send, skip
