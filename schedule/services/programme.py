"""The current programme, loaded once from the database and refreshed after each change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from db.connection import Database
from db.forum import load_forum
from schedule.model import Event, Forum, Transport
from schedule.rules import Viewer, events_on, forum_days, visible_events
from schedule.transport import Rider, departures_for

T = TypeVar("T")
# Rendered days kept per programme version: groups x days x languages, far below this.
MAX_DERIVED = 4096


class NoForumError(LookupError):
    """No forum has been imported yet."""


@dataclass(frozen=True, slots=True)
class Agenda:
    """What one kind of viewer sees: their events in order, and the days they fall on."""

    events: tuple[Event, ...]
    days: tuple[date, ...]
    by_day: dict[date, tuple[Event, ...]] = field(default_factory=dict)

    def on(self, day: date) -> tuple[Event, ...]:
        return self.by_day.get(day, ())


class Programme:
    """A cache of the stored forum; every writer calls :meth:`invalidate` after a change.

    Handlers read the programme on every update, so it is kept in memory rather than
    queried for each of a thousand delegates; what each group sees is worked out once per
    group, not once per delegate and update.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._forum: Forum | None = None
        self._agendas: dict[Viewer, Agenda] = {}
        self._departures: dict[Rider, tuple[Transport, ...]] = {}
        self._derived: dict[Hashable, Any] = {}
        self._lock = asyncio.Lock()

    async def forum(self) -> Forum:
        if self._forum is None:
            async with self._lock:
                if self._forum is None:
                    self._forum = await load_forum(self._db)
                    self._agendas = {}
                    self._departures = {}
        if self._forum is None:
            raise NoForumError("no forum imported")
        return self._forum

    async def event(self, event_id: str) -> Event | None:
        forum = await self.forum()
        return next((e for e in forum.events if e.id == event_id), None)

    async def agenda(self, viewer: Viewer) -> Agenda:
        """The active events that concern ``viewer`` (see :func:`visible_events`), by day."""
        forum = await self.forum()
        agenda = self._agendas.get(viewer)
        if agenda is None:
            events = tuple(visible_events(forum.events, viewer))
            days = tuple(forum_days(events, forum.timezone))
            by_day = {day: tuple(events_on(events, day, forum.timezone)) for day in days}
            agenda = self._agendas[viewer] = Agenda(events, days, by_day)
        return agenda

    async def departures(self, rider: Rider) -> tuple[Transport, ...]:
        """The active departures ``rider`` takes, by time (worked out once per rider)."""
        forum = await self.forum()
        found = self._departures.get(rider)
        if found is None:
            found = self._departures[rider] = tuple(departures_for(forum.transports, rider))
        return found

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """A value worked out from the current programme alone (a rendered day, say), made
        once per programme version and key: most readers of a day share one group, day and
        language, so they share its rendering too. Dropped with every change."""
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            if len(self._derived) >= MAX_DERIVED:
                self._derived.clear()  # a bound, not a policy: keys are few in practice
            value = self._derived[key] = make()
            return value

    def invalidate(self) -> None:
        self._forum = None
        self._agendas = {}
        self._departures = {}
        self._derived = {}
