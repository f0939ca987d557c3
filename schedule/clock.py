"""The clock is a parameter wherever a rule depends on it, so tests pass explicit instants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(tz=UTC)
