"""Broadcasts: the message, its audience and one row per recipient, stored before sending.

A recipient moves pending -> sending -> sent | blocked | failed | interrupted. The
'sending' mark is committed when the recipient's turn in the outbound budget has come,
right before the request leaves, and taken back if the request did not deliver it; so a
crash leaves only the requests in flight 'sending': at the next start they become
'interrupted' (Telegram may or may not have delivered them) and are never sent again,
while 'pending' rows are sent by the resumed broadcast. A request that timed out after it
left is 'interrupted' at once, for the same reason.

The records themselves are :mod:`db.broadcast_records`; callers import them from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from db import announcements
from db.broadcast_records import (
    FINAL_STATUSES,
    Broadcast,
    Content,
    Counts,
    Recipient,
    RecipientStatus,
)
from db.connection import Database, from_db, to_db

_BROADCAST = (
    "id, organiser_id, audience, content, confirm, status, chat_id, progress_message_id, "
    "created_at, finished_at"
)
_RECIPIENT = (
    "r.delegate_id, d.name, d.telegram_id, d.language, r.status, r.error, r.message_id, "
    "r.confirmed_at"
)


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(
        id=row["id"],
        organiser_id=row["organiser_id"],
        audience=row["audience"],
        content=Content.from_json(row["content"]),
        confirm=bool(row["confirm"]),
        status=row["status"],
        chat_id=row["chat_id"],
        progress_message_id=row["progress_message_id"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]  # NOT NULL
        finished_at=from_db(row["finished_at"]),
    )


def _recipient(row: Any) -> Recipient:
    return Recipient(
        delegate_id=row["delegate_id"],
        name=row["name"],
        telegram_id=row["telegram_id"],
        language=row["language"],
        status=row["status"],
        error=row["error"],
        message_id=row["message_id"],
        confirmed_at=from_db(row["confirmed_at"]),
    )


async def create(
    db: Database,
    *,
    organiser_id: int,
    content: Content,
    audience: str | None,
    confirm: bool,
    delegate_ids: Sequence[int],
    now: datetime,
    chat_id: int | None = None,
    post_in_chat: bool = False,
) -> int:
    """Store the broadcast and one pending row per recipient in one transaction (and its
    post in the delegation's chat, if asked)."""
    async with db.transaction() as conn:
        async with conn.execute(
            "INSERT INTO broadcast (organiser_id, audience, content, confirm, status, chat_id,"
            " created_at) VALUES (?, ?, ?, ?, 'sending', ?, ?)",
            (organiser_id, audience, content.to_json(), int(confirm), chat_id, to_db(now)),
        ) as cur:
            broadcast_id = int(cur.lastrowid or 0)
        await conn.executemany(
            "INSERT INTO broadcast_recipient (broadcast_id, delegate_id) VALUES (?, ?)",
            [(broadcast_id, delegate_id) for delegate_id in dict.fromkeys(delegate_ids)],
        )
        if post_in_chat:
            await announcements.queue(conn, [announcements.broadcast_key(broadcast_id)], now)
    return broadcast_id


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone(f"SELECT {_BROADCAST} FROM broadcast WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


async def unfinished(db: Database) -> list[Broadcast]:
    """Broadcasts that had not reached their end (to resume at start), oldest first."""
    rows = await db.fetchall(
        f"SELECT {_BROADCAST} FROM broadcast WHERE status = 'sending' ORDER BY id"
    )
    return [_broadcast(r) for r in rows]


async def recent(db: Database, limit: int = 5) -> list[Broadcast]:
    rows = await db.fetchall(
        f"SELECT {_BROADCAST} FROM broadcast ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [_broadcast(r) for r in rows]


async def set_progress_message(
    db: Database, broadcast_id: int, chat_id: int, message_id: int | None
) -> None:
    await db.execute(
        "UPDATE broadcast SET chat_id = ?, progress_message_id = ? WHERE id = ?",
        (chat_id, message_id, broadcast_id),
    )


async def next_pending(db: Database, broadcast_id: int, after: int = 0) -> Recipient | None:
    """The first pending recipient with a delegate id above ``after`` (None when none)."""
    row = await db.fetchone(
        f"SELECT {_RECIPIENT} FROM broadcast_recipient r JOIN delegate d ON d.id = r.delegate_id"
        " WHERE r.broadcast_id = ? AND r.status = 'pending' AND r.delegate_id > ?"
        " ORDER BY r.delegate_id LIMIT 1",
        (broadcast_id, after),
    )
    return _recipient(row) if row else None


async def take(db: Database, broadcast_id: int, delegate_id: int) -> bool:
    """Mark a pending recipient 'sending' (committed) right before its request leaves;
    False if it was taken or settled meanwhile."""
    changed = await db.execute(
        "UPDATE broadcast_recipient SET status = 'sending'"
        " WHERE broadcast_id = ? AND delegate_id = ? AND status = 'pending'",
        (broadcast_id, delegate_id),
    )
    return changed == 1


async def record(
    db: Database,
    broadcast_id: int,
    delegate_id: int,
    status: RecipientStatus,
    now: datetime,
    *,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    """The outcome of one recipient's message."""
    await db.execute(
        "UPDATE broadcast_recipient SET status = ?, message_id = ?, error = ?, sent_at = ?"
        " WHERE broadcast_id = ? AND delegate_id = ?",
        (status, message_id, error, to_db(now), broadcast_id, delegate_id),
    )


async def release(db: Database, broadcast_id: int, delegate_id: int) -> None:
    """The request did not deliver it (429, 5xx, no connection): pending again while it
    waits to be tried again."""
    await db.execute(
        "UPDATE broadcast_recipient SET status = 'pending'"
        " WHERE broadcast_id = ? AND delegate_id = ? AND status = 'sending'",
        (broadcast_id, delegate_id),
    )


async def interrupt_stale(db: Database, note: str) -> list[tuple[int, int]]:
    """At start, before anything sends: rows left 'sending' by a crash become 'interrupted'.

    Returns (broadcast_id, delegate_id) of each; they are never sent again.
    """
    async with (
        db.transaction() as conn,
        conn.execute(
            "UPDATE broadcast_recipient SET status = 'interrupted', error = ?"
            " WHERE status = 'sending' RETURNING broadcast_id, delegate_id",
            (note,),
        ) as cur,
    ):
        return [(int(r[0]), int(r[1])) for r in await cur.fetchall()]


async def finish(db: Database, broadcast_id: int, now: datetime) -> None:
    await db.execute(
        "UPDATE broadcast SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'",
        (to_db(now), broadcast_id),
    )


async def counts(db: Database, broadcast_id: int) -> Counts:
    rows = await db.fetchall(
        "SELECT status, COUNT(*) AS n, COUNT(confirmed_at) AS c FROM broadcast_recipient"
        " WHERE broadcast_id = ? GROUP BY status",
        (broadcast_id,),
    )
    by_status = {r["status"]: int(r["n"]) for r in rows}
    return Counts(
        total=sum(by_status.values()),
        confirmed=sum(int(r["c"]) for r in rows),
        **{s: by_status.get(s, 0) for s in ("pending", "sending", *FINAL_STATUSES)},
    )


async def recipients(
    db: Database, broadcast_id: int, statuses: Sequence[RecipientStatus] | None = None
) -> list[Recipient]:
    """Recipients by name, optionally only those in ``statuses``."""
    sql = (
        f"SELECT {_RECIPIENT} FROM broadcast_recipient r JOIN delegate d ON d.id = r.delegate_id"
        " WHERE r.broadcast_id = ?"
    )
    params: list[Any] = [broadcast_id]
    if statuses:
        sql += f" AND r.status IN ({','.join('?' * len(statuses))})"
        params.extend(statuses)
    rows = await db.fetchall(sql + " ORDER BY d.name COLLATE NOCASE, d.id", params)
    return [_recipient(r) for r in rows]


async def unconfirmed(db: Database, broadcast_id: int) -> list[Recipient]:
    """Those who were sent the message and have not pressed "Received"."""
    return [r for r in await recipients(db, broadcast_id, ("sent",)) if r.confirmed_at is None]


async def being_reminded(db: Database, broadcast_id: int) -> set[int]:
    """Delegates a reminder of this broadcast is still on its way to."""
    rows = await db.fetchall(
        "SELECT r.delegate_id FROM broadcast_recipient r JOIN broadcast b ON b.id = r.broadcast_id"
        " WHERE b.status = 'sending' AND json_extract(b.content, '$.reminder_of') = ?"
        " AND r.status IN ('pending', 'sending')",
        (broadcast_id,),
    )
    return {row["delegate_id"] for row in rows}


async def confirm(db: Database, broadcast_id: int, delegate_id: int, now: datetime) -> bool:
    """Record "Received" (the first press counts); False if they were not a recipient."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM broadcast_recipient WHERE broadcast_id = ? AND delegate_id = ?",
            (broadcast_id, delegate_id),
        ) as cur:
            if await cur.fetchone() is None:
                return False
        await conn.execute(
            "UPDATE broadcast_recipient SET confirmed_at = ?"
            " WHERE broadcast_id = ? AND delegate_id = ? AND confirmed_at IS NULL",
            (to_db(now), broadcast_id, delegate_id),
        )
    return True
