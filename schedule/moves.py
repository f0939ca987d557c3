"""Where an event moved by an organiser goes: /move's arguments as a rule without Telegram."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from schedule.forum_fields import MAX_YEAR, MIN_YEAR
from schedule.model import Event, Transport

MoveProblem = Literal["format", "date", "range", "time", "past", "inactive", "same"]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class MoveError(ValueError):
    """Why a /move cannot be done; ``problem`` picks the text the handler shows."""

    def __init__(self, problem: MoveProblem) -> None:
        super().__init__(problem)
        self.problem: MoveProblem = problem


def _clock_time(text: str) -> time:
    match = _TIME.match(text)
    if not match:
        raise MoveError("format")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise MoveError("time")
    return time(hour, minute)


def _day(text: str) -> date:
    if not _DATE.match(text):
        raise MoveError("format")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MoveError("date") from None


def parse_move(
    args: str, event: Event, tz: ZoneInfo, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The new (starts, ends) in UTC for "HH:MM" (the event's local day) or "YYYY-MM-DD HH:MM".

    The duration is kept. Raises :class:`MoveError`: malformed, a date or time that does not
    exist, a start in the past (when ``now`` is given), an event that is not scheduled, or no
    change at all.
    """
    starts = new_start(args, event.starts, tz, now, active=event.is_active)
    return starts, starts + (event.ends - event.starts)


def new_start(
    args: str, current: datetime, tz: ZoneInfo, now: datetime | None, *, active: bool
) -> datetime:
    """The new start in UTC for "HH:MM" (``current``'s local day) or "YYYY-MM-DD HH:MM";
    raises :class:`MoveError` as :func:`parse_move` says."""
    if not active:
        raise MoveError("inactive")
    parts = args.split()
    if len(parts) == 1:
        day, at = current.astimezone(tz).date(), _clock_time(parts[0])
    elif len(parts) == 2:
        day, at = _day(parts[0]), _clock_time(parts[1])
    else:
        raise MoveError("format")
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # 9999-12-31 23:59 would overflow in UTC
        raise MoveError("range")
    local = datetime.combine(day, at, tzinfo=tz)
    # A local time skipped by a clock change does not survive the round trip.
    if local.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != local.replace(
        tzinfo=None
    ):
        raise MoveError("time")
    starts = local.astimezone(ZoneInfo("UTC"))
    if starts == current:
        raise MoveError("same")
    if now is not None and starts < now:
        raise MoveError("past")
    return starts


def parse_departure_move(
    args: str, transport: Transport, tz: ZoneInfo, now: datetime | None = None
) -> tuple[datetime, datetime | None]:
    """The new (departs, arrives) of a departure moved like an event (the ride's length
    kept; no arrival stays none)."""
    departs = new_start(args, transport.departs, tz, now, active=transport.is_active)
    if transport.arrives is None:
        return departs, None
    return departs, departs + (transport.arrives - transport.departs)
