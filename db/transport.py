"""Stored transport: importing it, moving and cancelling departures, what their riders were
told, and who pressed "I'm running late".

Like events, transports are matched by id and never deleted: one removed from the file is
kept as ``removed`` (its reminders and notices refer to it, and the calendar tells phones
to drop it). Each change raises its ``revision``, the calendar's SEQUENCE.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

import aiosqlite

from db import announcements
from db.connection import Database, from_db, to_db
from schedule.model import (
    AnnouncedDeparture,
    EventStatus,
    Localized,
    Transport,
    TransportChange,
    TransportImport,
)


class Queued(Protocol):
    """A notice to queue (a :class:`db.deliveries.Item`; that module reads db.forum, which
    reads this one)."""

    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def delegate_id(self) -> int: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def event_id(self) -> str | None: ...


_INSERT_DELIVERY = (
    "INSERT INTO delivery (kind, key, delegate_id, event_id, due_at, status, error, created_at)"
    " VALUES (?, ?, ?, ?, ?, 'pending', NULL, ?) ON CONFLICT (kind, key, delegate_id) DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class TransportStamps:
    scheduled_at: datetime  # when departs was last set: reminders due earlier are void
    updated_at: str  # the row's version
    revision: int


# ---------------------------------------------------------------- import


async def import_transports(
    conn: aiosqlite.Connection, transports: Sequence[Transport], stamp: str
) -> TransportImport:
    """Reconcile the stored transport with the file's, inside the import's transaction."""
    stored = {t.id: t for t in await _select(conn, "", ())}
    added: list[str] = []
    changed: list[TransportChange] = []
    removed: list[str] = []
    for transport in transports:
        transport = replace(transport, status="scheduled")
        before = stored.get(transport.id)
        if before is None:
            await conn.execute(
                "INSERT INTO transport (id, kind, departs_at, arrives_at, from_venue, to_venue,"
                " meeting_point, vehicle, driver, phone, audience, event_id, status,"
                " scheduled_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (transport.id, *_values(transport), stamp, stamp),
            )
            added.append(transport.id)
        elif before != transport:
            await _update(conn, before, transport, stamp)
            changed.append(TransportChange(before, transport))
    for gone in sorted(stored.keys() - {t.id for t in transports}):
        before = stored[gone]
        if before.status != "removed":
            after = replace(before, status="removed")
            await _update(conn, before, after, stamp)
            changed.append(TransportChange(before, after))
            removed.append(gone)
    return TransportImport(tuple(added), tuple(changed), tuple(removed))


async def _update(
    conn: aiosqlite.Connection, before: Transport, after: Transport, stamp: str
) -> None:
    await conn.execute(
        "UPDATE transport SET kind = ?, departs_at = ?, arrives_at = ?, from_venue = ?,"
        " to_venue = ?, meeting_point = ?, vehicle = ?, driver = ?, phone = ?, audience = ?,"
        " event_id = ?, status = ?, revision = revision + 1, updated_at = ?,"
        " scheduled_at = CASE WHEN ? THEN ? ELSE scheduled_at END WHERE id = ?",
        (*_values(after), stamp, before.departs != after.departs, stamp, after.id),
    )


# ---------------------------------------------------------------- reading


async def load_transports(conn: aiosqlite.Connection) -> list[Transport]:
    """Every stored transport, any status, by departure time."""
    return await _select(conn, "", ())


async def get_transport(db: Database, transport_id: str) -> Transport | None:
    found = await _select(db.conn, "WHERE id = ?", (transport_id,))
    return found[0] if found else None


async def transport_stamps(db: Database) -> dict[str, TransportStamps]:
    rows = await db.fetchall("SELECT id, scheduled_at, updated_at, revision FROM transport")
    return {
        r["id"]: TransportStamps(from_db(r["scheduled_at"]), r["updated_at"], r["revision"])  # type: ignore[arg-type]
        for r in rows
    }


# ---------------------------------------------------------------- organisers' changes


async def reschedule_transport(
    db: Database, transport_id: str, departs: datetime, arrives: datetime | None, now: datetime
) -> TransportChange | None:
    """Move a departure (organisers' /move); None when there is no such transport."""
    if arrives is not None and arrives <= departs:
        raise ValueError("a transport must arrive after it departs")
    return await _change(db, transport_id, now, departs=departs, arrives=arrives)


async def set_transport_status(
    db: Database, transport_id: str, status: EventStatus, now: datetime
) -> TransportChange | None:
    """Cancel or reinstate a departure (organisers' /cancel); None when there is none."""
    if status not in ("scheduled", "cancelled", "removed"):
        raise ValueError(f"unknown status {status!r}")
    return await _change(db, transport_id, now, status=status)


async def _change(
    db: Database, transport_id: str, now: datetime, **changes: Any
) -> TransportChange | None:
    stamp = to_db(now)
    async with db.transaction() as conn:
        found = await _select(conn, "WHERE id = ?", (transport_id,))
        if not found:
            return None
        before = found[0]
        after = replace(before, **changes)
        if after != before:
            await _update(conn, before, after, stamp)
    return TransportChange(before, after)


# ---------------------------------------------------------------- change notices

# What to record as announced, which notices to queue and which posts for the delegation's
# chat, given the transports, what their riders last knew and each row's version
# (``updated_at``).
DeparturePlan = Callable[
    [Sequence[Transport], Mapping[str, AnnouncedDeparture], Mapping[str, str]],
    tuple[Sequence[Transport], Sequence[Queued], Sequence[str]],
]


async def announce_departures(db: Database, plan: DeparturePlan, now: datetime) -> int:
    """As :func:`db.deliveries.announce`, for departures: the notices and chat posts ``plan``
    asks for are queued and their departures recorded as announced in one transaction.
    Returns the notices added."""
    added = 0
    async with db.transaction() as conn:
        transports = await _select(conn, "", ())
        async with conn.execute("SELECT id, updated_at FROM transport") as cur:
            versions = {r["id"]: r["updated_at"] for r in await cur.fetchall()}
        async with conn.execute(
            "SELECT transport_id, departs_at, from_venue, meeting_point, audience, status"
            " FROM transport_announced"
        ) as cur:
            announced = {r["transport_id"]: _announced(r) for r in await cur.fetchall()}
        record, items, posts = plan(transports, announced, versions)
        await announcements.queue(conn, posts, now)
        for t in record:
            await conn.execute(
                "INSERT INTO transport_announced"
                " (transport_id, departs_at, from_venue, meeting_point, audience, status)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (transport_id) DO UPDATE SET"
                " departs_at = excluded.departs_at, from_venue = excluded.from_venue,"
                " meeting_point = excluded.meeting_point, audience = excluded.audience,"
                " status = excluded.status",
                (t.id, to_db(t.departs), t.origin, _json_text(t.meeting_point),
                 _json_list(t.audience), t.status),
            )  # fmt: skip
        for item in items:
            async with conn.execute(
                _INSERT_DELIVERY,
                (item.kind, item.key, item.delegate_id, item.event_id, to_db(item.due_at),
                 to_db(now)),
            ) as cur:  # fmt: skip
                added += cur.rowcount
    return added


def _announced(row: Any) -> AnnouncedDeparture:
    return AnnouncedDeparture(
        departs=from_db(row["departs_at"]),  # type: ignore[arg-type]  # NOT NULL
        origin=row["from_venue"],
        meeting_point=_localized(row["meeting_point"]),
        audience=_tuple(row["audience"]),
        status=row["status"],
    )


# ---------------------------------------------------------------- running late


async def record_running_late(
    db: Database, transport: Transport, delegate_id: int, now: datetime
) -> bool:
    """Record a press of "I'm running late"; False if this delegate already pressed for
    this departure time (the alert went out then)."""
    changed = await db.execute(
        "INSERT INTO running_late (transport_id, departs_at, delegate_id, pressed_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (transport.id, to_db(transport.departs), delegate_id, to_db(now)),
    )
    return changed == 1


async def pressed_running_late(db: Database, transport: Transport, delegate_id: int) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM running_late WHERE transport_id = ? AND departs_at = ? AND delegate_id = ?",
        (transport.id, to_db(transport.departs), delegate_id),
    )
    return row is not None


# ---------------------------------------------------------------- rows <-> dataclasses


def _json_text(text: Localized | None) -> str | None:
    return None if text is None else json.dumps(text.as_dict(), ensure_ascii=False, sort_keys=True)


def _json_list(values: tuple[str, ...] | None) -> str | None:
    return None if values is None else json.dumps(list(values))


def _localized(text: str | None) -> Localized | None:
    return None if text is None else Localized(json.loads(text))


def _tuple(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def _values(t: Transport) -> tuple[Any, ...]:
    """The columns from ``kind`` to ``status``, in the table's order."""
    return (
        t.kind, to_db(t.departs), None if t.arrives is None else to_db(t.arrives), t.origin,
        t.destination, _json_text(t.meeting_point), t.vehicle, t.driver, t.phone,
        _json_list(t.audience), t.event, t.status,
    )  # fmt: skip


def _transport(row: Any) -> Transport:
    return Transport(
        id=row["id"],
        kind=row["kind"],
        departs=from_db(row["departs_at"]),  # type: ignore[arg-type]  # NOT NULL
        origin=row["from_venue"],
        destination=row["to_venue"],
        arrives=from_db(row["arrives_at"]),
        meeting_point=_localized(row["meeting_point"]),
        vehicle=row["vehicle"],
        driver=row["driver"],
        phone=row["phone"],
        audience=_tuple(row["audience"]),
        event=row["event_id"],
        status=row["status"],
    )


async def _select(
    conn: aiosqlite.Connection, where: str, params: tuple[Any, ...]
) -> list[Transport]:
    # ``where`` is always one of this module's literals; values go through ``params``.
    async with conn.execute(
        f"SELECT * FROM transport {where} ORDER BY departs_at, id", params
    ) as cur:
        return [_transport(row) for row in await cur.fetchall()]
