"""Attempts at joining with a code: the wrong codes of one account and of everyone in the
current window, and invitations tried from another account than the one they are bound to.

:mod:`db.delegates` re-exports these names: callers know them as ``db.delegates.*``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from db.connection import Database, from_db, to_db


@dataclass(frozen=True, slots=True)
class CodeGuesses:
    """What is known of wrong codes when a new one arrives: this account's in a row (and
    when the last came), and everyone's in the current window (and when it opened)."""

    failures: int
    last_failure_at: datetime | None
    window_start: datetime | None
    window_failures: int


async def _guesses(conn: aiosqlite.Connection, telegram_id: int) -> CodeGuesses:
    """This account's wrong codes in a row and everyone's in the current window."""
    async with conn.execute(
        "SELECT failures, last_failure_at FROM code_attempt WHERE telegram_id = ?",
        (telegram_id,),
    ) as cur:
        mine = await cur.fetchone()
    async with conn.execute("SELECT window_start, failures FROM code_guesses WHERE id = 1") as cur:
        everyone = await cur.fetchone()
    return CodeGuesses(
        failures=mine["failures"] if mine else 0,
        last_failure_at=from_db(mine["last_failure_at"]) if mine else None,
        window_start=from_db(everyone["window_start"]) if everyone else None,
        window_failures=everyone["failures"] if everyone else 0,
    )


async def _count_wrong_code(
    conn: aiosqlite.Connection,
    telegram_id: int,
    guesses: CodeGuesses,
    now: datetime,
    window: timedelta,
) -> None:
    await conn.execute(
        "INSERT INTO code_attempt (telegram_id, failures, last_failure_at) VALUES (?, 1, ?) "
        "ON CONFLICT (telegram_id) DO UPDATE SET failures = failures + 1, "
        "last_failure_at = excluded.last_failure_at",
        (telegram_id, to_db(now)),
    )
    fresh = guesses.window_start is None or now >= guesses.window_start + window
    await conn.execute(
        "INSERT INTO code_guesses (id, window_start, failures) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET window_start = excluded.window_start, "
        "failures = excluded.failures",
        (
            to_db(now if fresh else guesses.window_start),  # type: ignore[arg-type]
            1 if fresh else guesses.window_failures + 1,
        ),
    )


async def claim_code_attempt(
    db: Database,
    telegram_id: int,
    code: str | None,
    shared_code: str | None,
    now: datetime,
    refuse: Callable[[CodeGuesses], datetime | None],
    window: timedelta,
) -> tuple[datetime | None, int]:
    """Look at a code in one transaction with the pause: a code no one could join with
    (unknown, or bound to another account; ``code`` None for one not even well formed)
    is counted as wrong before the next code is looked at, unless ``refuse`` says to wait.

    A burst of updates is serialised here, so none reads the count before the others
    raised it; a right code is never counted, so a delegation joining at once is not
    slowed. Returns (the instant to wait for, or None when the attempt may go on; this
    account's wrong codes in a row, this one included).
    """
    async with db.transaction() as conn:
        guesses = await _guesses(conn, telegram_id)
        retry_at = refuse(guesses)
        if retry_at is not None:
            return retry_at, guesses.failures
        usable = code is not None and code == shared_code
        if code is not None and not usable:
            async with conn.execute(
                "SELECT 1 FROM delegate WHERE code = ? AND active = 1"
                " AND (telegram_id IS NULL OR telegram_id = ?)",
                (code, telegram_id),
            ) as cur:
                usable = await cur.fetchone() is not None
        if usable:
            return None, guesses.failures
        await _count_wrong_code(conn, telegram_id, guesses, now, window)
    return None, guesses.failures + 1


async def note_taken_attempt(
    db: Database, delegate_id: int, now: datetime, quiet: timedelta
) -> int | None:
    """Someone tried an invitation already bound to another account. Returns how many
    earlier tries went unreported when the organisers are to be alerted now, or None
    while they were alerted less than ``quiet`` ago (this try is counted for the next)."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT alerted_at, unreported FROM taken_alert WHERE delegate_id = ?",
            (delegate_id,),
        ) as cur:
            row = await cur.fetchone()
        last = from_db(row["alerted_at"]) if row else None
        if last is not None and now < last + quiet:
            await conn.execute(
                "UPDATE taken_alert SET unreported = unreported + 1 WHERE delegate_id = ?",
                (delegate_id,),
            )
            return None
        await conn.execute(
            "INSERT INTO taken_alert (delegate_id, alerted_at, unreported) VALUES (?, ?, 0) "
            "ON CONFLICT (delegate_id) DO UPDATE SET alerted_at = excluded.alerted_at, "
            "unreported = 0",
            (delegate_id, to_db(now)),
        )
    return int(row["unreported"]) if row else 0
