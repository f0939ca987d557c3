"""Programme changes fan out from one place: a move, a cancel or a re-import calls
:meth:`ProgrammeChanges.apply`, and every listener (the programme cache, reminder jobs,
change notices) hears about it, whoever made the change."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from schedule.model import EventChange, TransportChange
from schedule.services.programme import Programme

log = logging.getLogger(__name__)

Listener = Callable[[Sequence[EventChange | TransportChange]], Awaitable[None]]


class ProgrammeChanges:
    def __init__(self, programme: Programme) -> None:
        self._programme = programme
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def apply(self, changes: Sequence[EventChange | TransportChange]) -> None:
        """Tell everyone concerned; the database already holds the new programme."""
        self._programme.invalidate()
        if not changes:
            return
        for listener in self._listeners:
            await listener(changes)
