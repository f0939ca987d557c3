"""The current programme, loaded once from the database and refreshed after each change."""

from __future__ import annotations

import asyncio

from db.connection import Database
from db.forum import load_forum
from schedule.model import Event, Forum


class NoForumError(LookupError):
    """No forum has been imported yet."""


class Programme:
    """A cache of the stored forum; every writer calls :meth:`invalidate` after a change.

    Handlers read the programme on every update, so it is kept in memory rather than
    queried for each of a thousand delegates.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._forum: Forum | None = None
        self._lock = asyncio.Lock()

    async def forum(self) -> Forum:
        if self._forum is None:
            async with self._lock:
                if self._forum is None:
                    self._forum = await load_forum(self._db)
        if self._forum is None:
            raise NoForumError("no forum imported")
        return self._forum

    async def event(self, event_id: str) -> Event | None:
        forum = await self.forum()
        return next((e for e in forum.events if e.id == event_id), None)

    def invalidate(self) -> None:
        self._forum = None
