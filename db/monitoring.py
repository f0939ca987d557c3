"""Figures for the health check and the metrics: counts and times, never names or texts."""

from __future__ import annotations

from datetime import datetime

from db.connection import Database, from_db, to_db


async def pending_deliveries(db: Database) -> int:
    """Messages recorded to go out and not sent yet: reminders, briefings, notices, and the
    recipients of broadcasts still being sent."""
    row = await db.fetchone(
        "SELECT (SELECT COUNT(*) FROM delivery WHERE status IN ('pending', 'sending'))"
        " + (SELECT COUNT(*) FROM broadcast_recipient r JOIN broadcast b"
        "    ON b.id = r.broadcast_id"
        "    WHERE b.status = 'sending' AND r.status IN ('pending', 'sending')) AS n"
    )
    return int(row["n"]) if row else 0


async def reminders_sent_since(db: Database, since: datetime) -> list[tuple[int, float]]:
    """(delivery id, seconds between the due time and the answer of Telegram) of every
    reminder sent at or after ``since``."""
    rows = await db.fetchall(
        "SELECT id, due_at, sent_at FROM delivery"
        " WHERE kind = 'reminder' AND status = 'sent' AND sent_at >= ?",
        (to_db(since),),
    )
    found: list[tuple[int, float]] = []
    for row in rows:
        due, sent = from_db(row["due_at"]), from_db(row["sent_at"])
        assert due is not None and sent is not None  # NOT NULL, and sent_at by the filter
        found.append((int(row["id"]), (sent - due).total_seconds()))
    return found
