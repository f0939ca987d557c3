"""Posts in the delegation's group or channel, once each (table ``announcement``).

Like a delivery: queued ``pending`` in the transaction that decides it (a change recorded
as announced, a broadcast stored), ``sending`` only while its request is in flight,
then ``sent`` or ``failed``; a crash mid-request leaves ``sending``, which the next start
turns ``interrupted`` (never posted twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiosqlite

from db.connection import Database, from_db, to_db

PostStatus = Literal["pending", "sending", "sent", "failed", "interrupted"]


@dataclass(frozen=True, slots=True)
class Post:
    key: str
    status: PostStatus
    error: str | None
    message_id: int | None
    created_at: datetime


def _post(row: Any) -> Post:
    return Post(
        key=row["key"],
        status=row["status"],
        error=row["error"],
        message_id=row["message_id"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]  # NOT NULL
    )


_BROADCAST = "broadcast:"


def broadcast_key(broadcast_id: int) -> str:
    return f"{_BROADCAST}{broadcast_id}"


def is_broadcast_key(key: str) -> bool:
    return key.startswith(_BROADCAST)


async def queue(conn: aiosqlite.Connection, keys: Sequence[str], now: datetime) -> None:
    """Queue posts inside the caller's transaction; a key already known is left alone."""
    await conn.executemany(
        "INSERT INTO announcement (key, created_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        [(key, to_db(now)) for key in dict.fromkeys(keys)],
    )


async def pending(db: Database, prefix: str = "") -> list[Post]:
    rows = await db.fetchall(
        "SELECT key, status, error, message_id, created_at FROM announcement"
        " WHERE status = 'pending' AND key LIKE ? ORDER BY created_at, key",
        (prefix + "%",),
    )
    return [_post(r) for r in rows]


async def get(db: Database, key: str) -> Post | None:
    row = await db.fetchone(
        "SELECT key, status, error, message_id, created_at FROM announcement WHERE key = ?",
        (key,),
    )
    return _post(row) if row else None


async def take(db: Database, key: str) -> bool:
    """Mark a pending post 'sending' right before its request leaves."""
    return (
        await db.execute(
            "UPDATE announcement SET status = 'sending' WHERE key = ? AND status = 'pending'",
            (key,),
        )
        == 1
    )


async def release(db: Database, key: str) -> None:
    """The request did not deliver it: pending again while it waits to be tried again."""
    await db.execute(
        "UPDATE announcement SET status = 'pending' WHERE key = ? AND status = 'sending'", (key,)
    )


async def finish(
    db: Database,
    key: str,
    status: PostStatus,
    now: datetime,
    *,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    await db.execute(
        "UPDATE announcement SET status = ?, error = ?, message_id = ?, sent_at = ? WHERE key = ?",
        (status, error, message_id, to_db(now) if status == "sent" else None, key),
    )


async def interrupt_stale(db: Database) -> list[str]:
    """At start: posts a crash left 'sending' become 'interrupted' (never posted again)."""
    async with (
        db.transaction() as conn,
        conn.execute(
            "UPDATE announcement SET status = 'interrupted',"
            " error = 'the bot stopped while posting; not posted again'"
            " WHERE status = 'sending' RETURNING key"
        ) as cur,
    ):
        return [str(r[0]) for r in await cur.fetchall()]
