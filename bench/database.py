"""5. Database: 10,000 check-ins and 10,000 reminder log rows through the project's db layer
(``db.attendance.check_in``; ``db.deliveries.record`` + ``take`` + ``finish``, as a fan-out
uses them),
against raw sqlite3 on the same schema in the same run.

Two baselines: ``executemany`` in one transaction (the ceiling) and one transaction per row
with the standard library (the same durability as the bot, which commits each check-in and
each outcome on its own so a crash loses nothing already answered)."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row, Sizes
from bench.forum import first_day, prepare_database, write_forum
from db import attendance, deliveries
from db.connection import open_db, to_db

NAME = "database"
FAN_OUT = 500  # rows recorded together, as one reminder fan-out does

_CHECK_IN_SQL = (
    "INSERT INTO attendance (event_id, delegate_id, checked_in_at) VALUES (?, ?, ?) "
    "ON CONFLICT (event_id, delegate_id) DO UPDATE "
    "SET checked_in_at = excluded.checked_in_at WHERE checked_in_at IS NULL"
)
_DELIVERY_SQL = (
    "INSERT INTO delivery (kind, key, delegate_id, event_id, due_at, status, created_at, "
    "sent_at) VALUES ('reminder', ?, ?, ?, ?, 'sent', ?, ?)"
)


def _pairs(rows: int, events: list[str], delegates: list[int]) -> list[tuple[str, int]]:
    """`rows` distinct (event, delegate) pairs."""
    return [(events[i // len(delegates)], delegates[i % len(delegates)]) for i in range(rows)]


def _raw(path: Path, sql: str, rows: list[tuple[object, ...]], *, one_transaction: bool) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        began = time.perf_counter()
        if one_transaction:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
        else:
            for row in rows:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql, row)
                conn.execute("COMMIT")
        elapsed = time.perf_counter() - began
        conn.execute("DELETE FROM attendance")
        conn.execute("DELETE FROM delivery")
        return elapsed
    finally:
        conn.close()


async def run(sizes: Sizes) -> list[Row]:
    n = sizes.db_rows
    now = datetime(2030, 5, 14, 5, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="bench-db-") as name:
        folder = Path(name)
        forum = write_forum(folder, events=200, delegates=1000, start=first_day())
        path = folder / "bot.sqlite3"
        await prepare_database(path, forum, delegates=0, now=now)
        db = await open_db(path)
        try:
            events = [r["id"] for r in await db.fetchall("SELECT id FROM event ORDER BY id")]
            people = [r["id"] for r in await db.fetchall("SELECT id FROM delegate ORDER BY id")]
            pairs = _pairs(n, events, people)

            began = time.perf_counter()
            for event_id, delegate_id in pairs:
                await attendance.check_in(db, event_id, delegate_id, now)
            check_ins = time.perf_counter() - began

            items = [
                deliveries.Item("reminder", f"{e}@{to_db(now)}/60", d, now, event_id=e)
                for e, d in pairs
            ]
            began = time.perf_counter()
            for start in range(0, n, FAN_OUT):
                ids = await deliveries.record(db, items[start : start + FAN_OUT], now)
                for delivery_id in ids:
                    assert delivery_id is not None
                    assert await deliveries.take(db, delivery_id)
                    await deliveries.finish(db, delivery_id, "sent", now + timedelta(seconds=1))
            reminders = time.perf_counter() - began

            stored = await db.fetchone(
                "SELECT (SELECT count(*) FROM attendance) AS a, "
                "(SELECT count(*) FROM delivery WHERE status = 'sent') AS d"
            )
            assert stored is not None and stored["a"] == n and stored["d"] == n, "rows lost"
            async with db.transaction() as conn:
                await conn.execute("DELETE FROM attendance")
                await conn.execute("DELETE FROM delivery")
        finally:
            await db.close()

        stamp = to_db(now)
        check_rows = [(e, d, stamp) for e, d in pairs]
        log_rows = [(f"{e}@{stamp}/60", d, e, stamp, stamp, stamp) for e, d in pairs]
        raw_checks = _raw(path, _CHECK_IN_SQL, check_rows, one_transaction=True)
        raw_checks_each = _raw(path, _CHECK_IN_SQL, check_rows, one_transaction=False)
        raw_log = _raw(path, _DELIVERY_SQL, log_rows, one_transaction=True)
        raw_log_each = _raw(path, _DELIVERY_SQL, log_rows, one_transaction=False)
    return [
        Row(NAME, f"{n:,} check-ins, vs executemany", n / check_ins, "rows/s", n / raw_checks),
        Row(NAME, f"{n:,} check-ins, vs sqlite3 commit per row", n / check_ins, "rows/s",
            n / raw_checks_each),
        Row(NAME, f"{n:,} reminder rows (record+take+finish), vs executemany", n / reminders,
            "rows/s", n / raw_log),
        Row(NAME, f"{n:,} reminder rows, vs sqlite3 commit per row", n / reminders, "rows/s",
            n / raw_log_each),
    ]  # fmt: skip
