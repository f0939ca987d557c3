"""The wake-up watchdog on explicit clocks: a pause or a clock step is noticed, jitter is not."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.watchdog import Watchdog, missing_seconds


def test_a_pause_longer_than_the_threshold_is_noticed() -> None:
    assert missing_seconds(1.0, 81.0, 81.0) == pytest.approx(80.0)


def test_a_late_tick_within_the_threshold_is_jitter() -> None:
    assert missing_seconds(1.0, 1.4, 1.4) == 0.0


def test_a_wall_clock_step_is_noticed_though_the_monotonic_clock_ran_normally() -> None:
    assert missing_seconds(1.0, 1.0, 301.0) == pytest.approx(300.0)
    assert missing_seconds(1.0, 1.0, -119.0) == pytest.approx(120.0)  # stepped back


async def test_the_watchdog_calls_back_once_after_a_pause() -> None:
    mono, wall = [0.0], [1_000_000.0]
    sleeps = iter([1.0, 1.0, 80.0, 1.0, 1.0])  # the third sleep spans an 80 s SIGSTOP
    woken: list[float] = []
    done = asyncio.Event()

    async def sleep(asked: float) -> None:
        try:
            took = next(sleeps)
        except StopIteration:
            done.set()
            await asyncio.Event().wait()
        mono[0] += took
        wall[0] += took
        await asyncio.sleep(0)

    async def on_wake(gone: float) -> None:
        woken.append(gone)

    watchdog = Watchdog(on_wake, monotonic=lambda: mono[0], wall=lambda: wall[0], sleep=sleep)
    watchdog.start()
    await asyncio.wait_for(done.wait(), timeout=5)
    await watchdog.stop()
    assert woken == [pytest.approx(79.0)]
