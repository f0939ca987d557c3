"""Invitation codes: how a person becomes a delegate, and how guessing is slowed down."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from db import delegates
from db.connection import Database
from db.delegates import CodeGuesses
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


# Across accounts: a guesser with many accounts gets FREE_ATTEMPTS on each, so everyone's
# wrong codes together are limited too. A delegation registering at a briefing types a few
# wrong codes a minute; right codes are not counted.
GUESS_WINDOW = timedelta(minutes=1)
WRONG_CODES_PER_WINDOW = 20
# An invitation tried from another account alerts the organisers once per this while; the
# tries in between are counted in the next alert.
TAKEN_ALERT_QUIET = timedelta(minutes=15)


def guessing_retry_at(guesses: CodeGuesses, now: datetime) -> datetime | None:
    """When another code may be tried, or None if now: this account's pause after wrong
    codes in a row, and a pause for everyone while the window's wrong codes are spent."""
    mine = code_retry_at(guesses.failures, guesses.last_failure_at)
    if mine is not None and now < mine:
        return mine
    start = guesses.window_start
    if (
        start is not None
        and now < start + GUESS_WINDOW
        and guesses.window_failures >= WRONG_CODES_PER_WINDOW
    ):
        return start + GUESS_WINDOW
    return None


@dataclass(frozen=True, slots=True)
class JoinOutcome:
    """What became of a ``/start CODE``. For ``taken``, ``alert`` says whether to tell the
    organisers now and ``unreported`` how many earlier tries they were not told of."""

    status: Literal["joined", "already", "taken", "refused", "slowed"]
    delegate: Delegate | None = None
    retry_at: datetime | None = None
    alert: bool = False
    unreported: int = 0


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
    """Turn an invitation code into a delegate, slowing down whoever guesses codes.

    The code is looked at in one transaction with the check of the pause, and a wrong one
    is counted there: a burst of guesses sent at once is slowed like guesses sent one
    after another, while right codes (a delegation joining at once) are never counted.
    """
    well_formed = code if looks_like_code(code) else None
    retry_at, failures = await delegates.claim_code_attempt(
        db,
        telegram_id,
        well_formed,
        delegation_code,
        now,
        lambda guesses: guessing_retry_at(guesses, now),
        GUESS_WINDOW,
    )
    if retry_at is not None:
        return JoinOutcome("slowed", retry_at=retry_at)
    if delegation_code is not None and well_formed is not None and code == delegation_code:
        reg = await delegates.register_shared(
            db, telegram_id, telegram_name, now, language=language
        )
    elif well_formed is not None:
        reg = await delegates.register_with_code(db, code, telegram_id, now, language=language)
    else:
        reg = delegates.Registration("unknown")
    if reg.status == "unknown":
        return JoinOutcome("refused", retry_at=code_retry_at(failures, now))
    if reg.status == "taken":
        assert reg.delegate is not None
        unreported = await delegates.note_taken_attempt(db, reg.delegate.id, now, TAKEN_ALERT_QUIET)
        return JoinOutcome(
            "taken", reg.delegate, alert=unreported is not None, unreported=unreported or 0
        )
    return JoinOutcome("joined" if reg.status == "registered" else "already", reg.delegate)
