"""The organisers' log: who did what and when (marks, broadcasts, moves...)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from db.connection import Database, from_db, to_db
from schedule.model import LogEntry


async def append(
    conn: aiosqlite.Connection, organiser_id: int, action: str, detail: str, now: datetime
) -> None:
    """Append one line inside the caller's transaction, so an action and its line are kept
    or lost together."""
    await conn.execute(
        "INSERT INTO organiser_log (organiser_id, action, detail, at) VALUES (?, ?, ?, ?)",
        (organiser_id, action, detail, to_db(now)),
    )


async def log_action(
    db: Database, organiser_id: int, action: str, detail: str, now: datetime
) -> None:
    """Append one line to the log (``action`` a short word like "mark", ``detail`` free text)."""
    async with db.transaction() as conn:
        await append(conn, organiser_id, action, detail, now)


async def recent(db: Database, limit: int = 20) -> list[LogEntry]:
    """The latest entries, newest first."""
    rows = await db.fetchall(
        "SELECT id, organiser_id, action, detail, at FROM organiser_log "
        "ORDER BY at DESC, id DESC LIMIT ?",
        (limit,),
    )
    return [
        LogEntry(r["id"], r["organiser_id"], r["action"], r["detail"], from_db(r["at"]))  # type: ignore[arg-type]
        for r in rows
    ]
