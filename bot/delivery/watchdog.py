"""Noticing that the process was paused (SIGSTOP, a VM pause, a suspended laptop) or that
the wall clock stepped, so that what fell due meanwhile is worked out from the database.

APScheduler drops a job it wakes up for later than its misfire grace ("missed by
0:01:15"); the notifier's jobs are only wake-up calls, and this is one more: a tick a
second that, when its sleep took far longer than asked (or the wall clock moved
differently from the monotonic one), calls ``on_wake`` with the seconds that went missing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

TICK = 1.0
# Lateness of a tick that counts as a pause: far above an event loop's usual jitter.
THRESHOLD = 3.0


def missing_seconds(
    asked: float, slept_monotonic: float, slept_wall: float, threshold: float = THRESHOLD
) -> float:
    """How long the process was away (or the clock jumped) during a sleep of ``asked``
    seconds that took ``slept_monotonic`` by the monotonic clock and ``slept_wall`` by the
    wall clock; 0 when within ``threshold``."""
    late = max(slept_monotonic, slept_wall) - asked
    stepped = abs(slept_wall - slept_monotonic)
    gone = max(late, stepped)
    return gone if gone > threshold else 0.0


class Watchdog:
    def __init__(
        self,
        on_wake: Callable[[float], Awaitable[object]],
        *,
        tick: float = TICK,
        threshold: float = THRESHOLD,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._on_wake = on_wake
        self._tick = tick
        self._threshold = threshold
        self._monotonic = monotonic
        self._wall = wall
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="wake-watchdog")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run(self) -> None:
        while True:
            mono, wall = self._monotonic(), self._wall()
            await self._sleep(self._tick)
            gone = missing_seconds(
                self._tick, self._monotonic() - mono, self._wall() - wall, self._threshold
            )
            if gone:
                log.warning(
                    "the process was away (paused, or the clock stepped) for about %.0f s: "
                    "working out from the database what fell due meanwhile",
                    gone,
                )
                try:
                    await self._on_wake(gone)
                except Exception:
                    log.exception("catching up after a pause failed")
