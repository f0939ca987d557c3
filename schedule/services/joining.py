"""Invitation codes: how a person becomes a delegate, and how guessing is slowed down."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from db import delegates
from db.connection import Database
from schedule.model import Delegate

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FREE_ATTEMPTS = 3
FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=1)


def looks_like_code(text: str) -> bool:
    return bool(CODE_PATTERN.fullmatch(text))


def code_pause(failures: int) -> timedelta:
    """How long a user must wait after ``failures`` wrong codes in a row.

    The first few mistakes are free (a code typed by hand); after that the pause doubles
    from 30 seconds up to an hour, which makes guessing a 64-character code hopeless.
    """
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    # The exponent is capped: timedelta overflows long before a persistent guesser stops.
    pause = FIRST_PAUSE * (2 ** min(failures - FREE_ATTEMPTS, 16))
    return min(pause, LONGEST_PAUSE)


def code_retry_at(failures: int, last_failure_at: datetime | None) -> datetime | None:
    """The instant from which another code may be tried, or None if one may be tried now."""
    if last_failure_at is None:
        return None
    pause = code_pause(failures)
    return last_failure_at + pause if pause else None


@dataclass(frozen=True, slots=True)
class JoinOutcome:
    """What became of a ``/start CODE``."""

    status: Literal["joined", "already", "taken", "refused", "slowed"]
    delegate: Delegate | None = None
    retry_at: datetime | None = None


async def join(
    db: Database,
    *,
    code: str,
    telegram_id: int,
    telegram_name: str,
    delegation_code: str | None,
    language: str | None,
    now: datetime,
) -> JoinOutcome:
    """Turn an invitation code into a delegate, slowing down whoever guesses codes."""
    failures, last = await delegates.code_failures(db, telegram_id)
    retry_at = code_retry_at(failures, last)
    if retry_at is not None and now < retry_at:
        return JoinOutcome("slowed", retry_at=retry_at)
    if delegation_code is not None and looks_like_code(code) and code == delegation_code:
        reg = await delegates.register_shared(
            db, telegram_id, telegram_name, now, language=language
        )
    elif looks_like_code(code):
        reg = await delegates.register_with_code(db, code, telegram_id, now, language=language)
    else:
        reg = delegates.Registration("unknown")
    if reg.status == "unknown":
        failures = await delegates.record_code_failure(db, telegram_id, now)
        return JoinOutcome("refused", retry_at=code_retry_at(failures, now))
    if reg.status == "taken":
        return JoinOutcome("taken", reg.delegate)
    return JoinOutcome("joined" if reg.status == "registered" else "already", reg.delegate)
