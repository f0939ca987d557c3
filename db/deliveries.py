"""Deliveries: each reminder, briefing and change notice, once per delegate.

A fan-out records its rows ``pending`` in one transaction (:func:`record`); each row is
taken (status ``sending``, committed) when its turn in the outbound budget has come, right
before its request leaves (:func:`take`), and its outcome recorded after (:func:`finish`);
a request that did not deliver it puts it back to ``pending`` while it waits to be tried
again (:func:`release`). So only requests in flight are ever ``sending``: a crash leaves
those, and at the next start they become ``interrupted`` and are never resent: a message
may have reached Telegram, and a second one is worse than a gap that the log shows. A
request that timed out after it left is recorded ``interrupted`` for the same reason.

``pending`` rows wait to be attempted (a notice queued at the moment of a change, or a
message the sender refused during shutdown, or left by a stop before its turn); they are
taken like new ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from db import announcements
from db.connection import Database, from_db, to_db
from db.forum import list_events
from schedule.model import Announced, Event

DeliveryKind = Literal["reminder", "briefing", "notice"]
DeliveryStatus = Literal[
    "pending", "sending", "sent", "blocked", "failed", "skipped", "interrupted"
]
FINAL_STATUSES: frozenset[str] = frozenset({"sent", "blocked", "failed", "skipped"})

_COLUMNS = "id, kind, key, delegate_id, event_id, due_at, status, error, created_at, sent_at"


@dataclass(frozen=True, slots=True)
class Item:
    """What is to be delivered to whom (before it has a row)."""

    kind: DeliveryKind
    key: str
    delegate_id: int
    due_at: datetime
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    kind: DeliveryKind
    key: str
    delegate_id: int
    event_id: str | None
    due_at: datetime
    status: DeliveryStatus
    error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventStamps:
    scheduled_at: datetime  # when the start was last set: earlier reminders are void
    updated_at: str  # the row's version, as stored


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        delegate_id=row["delegate_id"],
        event_id=row["event_id"],
        due_at=from_db(row["due_at"]),  # type: ignore[arg-type]  # NOT NULL
        status=row["status"],
        error=row["error"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
        sent_at=from_db(row["sent_at"]),
    )


def _values(item: Item, status: str, now: datetime, error: str | None = None) -> tuple[Any, ...]:
    return (
        item.kind, item.key, item.delegate_id, item.event_id, to_db(item.due_at), status, error,
        to_db(now),
    )  # fmt: skip


_INSERT = (
    "INSERT INTO delivery (kind, key, delegate_id, event_id, due_at, status, error, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


async def record(db: Database, items: Sequence[Item], now: datetime) -> list[int | None]:
    """Record items as pending in one committed transaction, before any of them is sent.

    Returns, item by item, the row id to :func:`take` and report to, or None when the item
    was already handled. A pending row is resent by the next start if the bot stops first,
    so only the few rows taken at the moment of a crash can end up 'interrupted'.
    """
    ids: list[int | None] = []
    async with db.transaction() as conn:
        for item in items:
            async with conn.execute(
                _INSERT + " ON CONFLICT (kind, key, delegate_id) DO UPDATE SET status = status"
                " WHERE status = 'pending' RETURNING id",
                _values(item, "pending", now),
            ) as cur:
                row = await cur.fetchone()
            ids.append(int(row[0]) if row else None)
    return ids


async def take(db: Database, delivery_id: int) -> bool:
    """Mark one pending row 'sending' (committed) right before its request; False if another
    fan-out took it first or it was settled meanwhile."""
    changed = await db.execute(
        "UPDATE delivery SET status = 'sending', error = NULL WHERE id = ? AND status = 'pending'",
        (delivery_id,),
    )
    return changed == 1


async def release(db: Database, delivery_id: int) -> None:
    """A taken row whose request did not deliver it (429, 5xx, no connection) is pending
    again while it waits to be tried again: only requests in flight are ever 'sending'."""
    await db.execute(
        "UPDATE delivery SET status = 'pending' WHERE id = ? AND status = 'sending'",
        (delivery_id,),
    )


async def skip(db: Database, items: Sequence[Item], reason: str, now: datetime) -> None:
    """Record that these will not be sent (and why); a pending row becomes skipped too."""
    async with db.transaction() as conn:
        await conn.executemany(
            _INSERT + " ON CONFLICT (kind, key, delegate_id) DO UPDATE SET"
            " status = 'skipped', error = excluded.error WHERE status = 'pending'",
            [_values(item, "skipped", now, reason) for item in items],
        )


async def finish(
    db: Database, delivery_id: int, status: DeliveryStatus, now: datetime, error: str | None = None
) -> None:
    """Record the outcome of a taken row: sent, blocked, failed, or pending again."""
    sent_at = to_db(now) if status == "sent" else None
    await db.execute(
        "UPDATE delivery SET status = ?, error = ?, sent_at = ? WHERE id = ?",
        (status, error, sent_at, delivery_id),
    )


async def interrupt_unfinished(db: Database) -> list[Delivery]:
    """Rows a crash left ``sending`` become ``interrupted``: whether they went out is unknown."""
    async with (
        db.transaction() as conn,
        conn.execute(
            "UPDATE delivery SET status = 'interrupted',"
            " error = 'the bot stopped while sending; not resent'"
            f" WHERE status = 'sending' RETURNING {_COLUMNS}"
        ) as cur,
    ):
        rows = await cur.fetchall()
    return [_delivery(r) for r in rows]


async def handled(db: Database, kind: DeliveryKind) -> set[tuple[str, int]]:
    """(key, delegate_id) of every row of ``kind`` that is not waiting to be attempted."""
    rows = await db.fetchall(
        "SELECT key, delegate_id FROM delivery WHERE kind = ? AND status != 'pending'", (kind,)
    )
    return {(r["key"], r["delegate_id"]) for r in rows}


async def told_off(db: Database) -> dict[str, set[int]]:
    """Event id -> the delegates told it was cancelled or removed (a notice sent, or on
    its way): those, and only those, hear that it is back.

    Only the events' own notices (a JSON key): a departure's notice ('departure:...') names
    the event its car serves, and its key is not JSON, which json_extract refused for the
    whole query (CASE, since SQLite does not promise the order of an AND's terms)."""
    rows = await db.fetchall(
        "SELECT event_id, delegate_id FROM delivery WHERE kind = 'notice'"
        " AND status IN ('sent', 'pending', 'sending', 'interrupted')"
        " AND CASE WHEN key LIKE '{%' THEN json_extract(key, '$.to[1]') END != 'scheduled'"
    )
    found: dict[str, set[int]] = {}
    for r in rows:
        found.setdefault(r["event_id"], set()).add(r["delegate_id"])
    return found


async def pending(db: Database, kind: DeliveryKind) -> list[Delivery]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM delivery WHERE kind = ? AND status = 'pending' ORDER BY id",
        (kind,),
    )
    return [_delivery(r) for r in rows]


async def list_deliveries(
    db: Database, *, kind: DeliveryKind | None = None, delegate_id: int | None = None
) -> list[Delivery]:
    sql = f"SELECT {_COLUMNS} FROM delivery WHERE 1 = 1"
    params: list[Any] = []
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    if delegate_id is not None:
        sql += " AND delegate_id = ?"
        params.append(delegate_id)
    rows = await db.fetchall(sql + " ORDER BY id", params)
    return [_delivery(r) for r in rows]


async def event_stamps(db: Database) -> dict[str, EventStamps]:
    """When each event's start was last set, and its row version."""
    rows = await db.fetchall("SELECT id, scheduled_at, updated_at FROM event")
    return {
        r["id"]: EventStamps(from_db(r["scheduled_at"]), r["updated_at"])  # type: ignore[arg-type]
        for r in rows
    }


# What to record as announced, which notices to queue and which changes to post in the
# delegation's chat (their notice keys), given the events, what their audiences last knew
# and each event row's version (``updated_at``).
AnnouncePlan = Callable[
    [Sequence[Event], Mapping[str, Announced], Mapping[str, str]],
    tuple[Sequence[Event], Sequence[Item], Sequence[str]],
]


async def announce(db: Database, plan: AnnouncePlan, now: datetime) -> int:
    """Read the programme and what was announced of it, queue the notices ``plan`` asks for
    and record their events as announced, in one transaction: a change is never recorded as
    told without its notices queued (nor its post in the delegation's chat), nor queued
    twice. Returns the notices added."""
    added = 0
    async with db.transaction() as conn:
        events = await list_events(db, include_inactive=True)  # same connection, same lock
        async with conn.execute("SELECT id, updated_at FROM event") as cur:
            versions = {r["id"]: r["updated_at"] for r in await cur.fetchall()}
        async with conn.execute(
            "SELECT event_id, starts_at, ends_at, venue_id, audience, status FROM event_announced"
        ) as cur:
            announced = {r["event_id"]: _announced(r) for r in await cur.fetchall()}
        record, items, posts = plan(events, announced, versions)
        await announcements.queue(conn, posts, now)
        for event in record:
            await conn.execute(
                "INSERT INTO event_announced"
                " (event_id, starts_at, ends_at, venue_id, audience, status)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (event_id) DO UPDATE SET starts_at = excluded.starts_at,"
                " ends_at = excluded.ends_at, venue_id = excluded.venue_id,"
                " audience = excluded.audience, status = excluded.status",
                (
                    event.id, to_db(event.starts), to_db(event.ends), event.venue,
                    None if event.audience is None else json.dumps(list(event.audience)),
                    event.status,
                ),
            )  # fmt: skip
        for item in items:
            async with conn.execute(
                _INSERT + " ON CONFLICT (kind, key, delegate_id) DO NOTHING",
                _values(item, "pending", now),
            ) as cur:
                added += cur.rowcount
    return added


def _announced(row: Any) -> Announced:
    audience = row["audience"]
    return Announced(
        starts=from_db(row["starts_at"]),  # type: ignore[arg-type]  # NOT NULL
        ends=from_db(row["ends_at"]),  # type: ignore[arg-type]
        venue=row["venue_id"],
        audience=None if audience is None else tuple(json.loads(audience)),
        status=row["status"],
    )
