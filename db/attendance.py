"""Attendance rows: one per (event, delegate) with the RSVP, the check-in and an organiser's mark.

Every write is a single upsert on the primary key, so many delegates pressing "Check in"
at once each get exactly one row, and the same delegate pressing twice gets one check-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from db.audit import append as append_log
from db.connection import Database, from_db, to_db
from schedule.model import AttendanceRecord, Rsvp

_COLUMNS = "event_id, delegate_id, rsvp, rsvp_at, checked_in_at, present, marked_by, marked_at"


def _record(row: Any) -> AttendanceRecord:
    present = row["present"]
    return AttendanceRecord(
        event_id=row["event_id"],
        delegate_id=row["delegate_id"],
        rsvp=row["rsvp"],
        rsvp_at=from_db(row["rsvp_at"]),
        checked_in_at=from_db(row["checked_in_at"]),
        present=None if present is None else bool(present),
        marked_by=row["marked_by"],
        marked_at=from_db(row["marked_at"]),
    )


@dataclass(frozen=True, slots=True)
class CheckIn:
    """The outcome of a check-in: ``new`` is False when the delegate was already checked in."""

    new: bool
    record: AttendanceRecord


async def _read(conn: aiosqlite.Connection, event_id: str, delegate_id: int) -> AttendanceRecord:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM attendance WHERE event_id = ? AND delegate_id = ?",
        (event_id, delegate_id),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None, "read after an upsert in the same transaction"
    return _record(row)


async def get(db: Database, event_id: str, delegate_id: int) -> AttendanceRecord | None:
    row = await db.read_one(
        f"SELECT {_COLUMNS} FROM attendance WHERE event_id = ? AND delegate_id = ?",
        (event_id, delegate_id),
    )
    return _record(row) if row else None


async def set_rsvp(
    db: Database, event_id: str, delegate_id: int, answer: Rsvp, now: datetime
) -> AttendanceRecord:
    """Store (or change) the delegate's answer and when it was given."""
    if answer not in ("yes", "no"):
        raise ValueError(f"an RSVP is 'yes' or 'no', not {answer!r}")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO attendance (event_id, delegate_id, rsvp, rsvp_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (event_id, delegate_id) DO UPDATE "
            "SET rsvp = excluded.rsvp, rsvp_at = excluded.rsvp_at",
            (event_id, delegate_id, answer, to_db(now)),
        )
        return await _read(conn, event_id, delegate_id)


async def check_in(db: Database, event_id: str, delegate_id: int, now: datetime) -> CheckIn:
    """Record the first check-in; a later one keeps the first time and reports ``new=False``.

    After an organiser's "absent" mark, a check-in counts again (with its new time): the
    delegate has come back, and the latest evidence wins.
    """
    # One statement (a check-in burst is a whole delegation at the door), on the loop's
    # connection when it can: the WHERE makes the conflict branch a no-op while checked
    # in, so a returned row says that this call was the one that checked them in.
    rows = await db.write_one(
        "INSERT INTO attendance (event_id, delegate_id, checked_in_at) VALUES (?, ?, ?) "
        "ON CONFLICT (event_id, delegate_id) DO UPDATE "
        "SET checked_in_at = excluded.checked_in_at WHERE checked_in_at IS NULL "
        f"OR (present = 0 AND marked_at >= checked_in_at) RETURNING {_COLUMNS}",
        (event_id, delegate_id, to_db(now)),
    )
    if rows:
        return CheckIn(True, _record(rows[0]))
    record = await get(db, event_id, delegate_id)
    assert record is not None, "a check-in that changed nothing has its row"
    return CheckIn(False, record)


async def mark(
    db: Database,
    event_id: str,
    delegate_id: int,
    *,
    present: bool,
    organiser_id: int,
    now: datetime,
    log_detail: str,
) -> AttendanceRecord:
    """An organiser marks a delegate present or absent; the row keeps who and when, and the
    organisers' log gets ``log_detail`` in the same transaction (both or neither)."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO attendance (event_id, delegate_id, present, marked_by, marked_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, delegate_id) DO UPDATE "
            "SET present = excluded.present, marked_by = excluded.marked_by, "
            "marked_at = excluded.marked_at",
            (event_id, delegate_id, int(present), organiser_id, to_db(now)),
        )
        await append_log(conn, organiser_id, "mark", log_detail, now)
        return await _read(conn, event_id, delegate_id)


async def for_event(db: Database, event_id: str) -> list[AttendanceRecord]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM attendance WHERE event_id = ? ORDER BY delegate_id", (event_id,)
    )
    return [_record(r) for r in rows]


async def all_rows(db: Database, event_ids: Sequence[str] | None = None) -> list[AttendanceRecord]:
    """Every row (for the export), or those of the given events."""
    sql = f"SELECT {_COLUMNS} FROM attendance"
    params: list[Any] = []
    if event_ids is not None:
        if not event_ids:
            return []
        sql += f" WHERE event_id IN ({','.join('?' * len(event_ids))})"
        params.extend(event_ids)
    rows = await db.fetchall(sql + " ORDER BY event_id, delegate_id", params)
    return [_record(r) for r in rows]
