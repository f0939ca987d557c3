"""Figures for the organisers' /stats: who registered, in which language, what went out today."""

from __future__ import annotations

from datetime import datetime

from db.connection import Database, to_db
from schedule.model import Usage


async def usage(db: Database, start: datetime, end: datetime) -> Usage:
    """Counts over active delegates; reminders and check-ins within [start, end)."""
    row = await db.fetchone(
        "SELECT COUNT(*) AS total, COUNT(telegram_id) AS registered FROM delegate WHERE active = 1"
    )
    languages = await db.fetchall(
        "SELECT language, COUNT(*) AS n FROM delegate WHERE active = 1 AND telegram_id IS NOT NULL"
        " GROUP BY language ORDER BY n DESC, language"
    )
    span = (to_db(start), to_db(end))
    reminders = await db.fetchone(
        "SELECT COUNT(*) AS n FROM delivery WHERE kind = 'reminder' AND status = 'sent'"
        " AND sent_at >= ? AND sent_at < ?",
        span,
    )
    check_ins = await db.fetchone(
        "SELECT COUNT(*) AS n FROM attendance WHERE checked_in_at >= ? AND checked_in_at < ?",
        span,
    )
    return Usage(
        delegates=int(row["total"]) if row else 0,
        registered=int(row["registered"]) if row else 0,
        by_language=tuple((r["language"], int(r["n"])) for r in languages),
        reminders_sent=int(reminders["n"]) if reminders else 0,
        check_ins=int(check_ins["n"]) if check_ins else 0,
    )
