"""Uploaded forum files waiting for an organiser's confirmation (see schedule.imports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.connection import Database, from_db, to_db


@dataclass(frozen=True, slots=True)
class PendingImport:
    token: str
    organiser_id: int
    filename: str
    text: str
    created_at: datetime


async def put(
    db: Database, token: str, organiser_id: int, filename: str, text: str, now: datetime
) -> None:
    """Keep an upload until it is confirmed; an organiser's older one is replaced."""
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM pending_import WHERE organiser_id = ?", (organiser_id,))
        await conn.execute(
            "INSERT INTO pending_import (token, organiser_id, filename, text, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token, organiser_id, filename, text, to_db(now)),
        )


async def take(db: Database, token: str, organiser_id: int) -> PendingImport | None:
    """The organiser's upload under ``token``, removed as it is read: a second press of
    the button finds nothing, so a file is imported once."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT token, organiser_id, filename, text, created_at FROM pending_import"
            " WHERE token = ? AND organiser_id = ?",
            (token, organiser_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        await conn.execute("DELETE FROM pending_import WHERE token = ?", (token,))
    return PendingImport(
        row["token"], row["organiser_id"], row["filename"], row["text"],
        from_db(row["created_at"]),  # type: ignore[arg-type]  # NOT NULL
    )  # fmt: skip
