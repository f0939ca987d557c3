"""Stored contacts and the delegates' hotel, arrival and departure.

Contacts have no id in the file: an import replaces them all, in the file's order.
A delegate's travel is matched through their code and keeps a revision, the calendar's
SEQUENCE for their arrival and departure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from db.connection import Database, from_db, to_db
from schedule.model import Contact, DelegateEntry, Journey, Localized, Travel


@dataclass(frozen=True, slots=True)
class StoredTravel:
    travel: Travel
    revision: int


# ---------------------------------------------------------------- contacts


async def import_contacts(conn: aiosqlite.Connection, contacts: Sequence[Contact]) -> bool:
    """Replace the stored contacts with the file's; True when anything changed."""
    if await load_contacts(conn) == list(contacts):
        return False
    await conn.execute("DELETE FROM contact")
    await conn.executemany(
        "INSERT INTO contact (position, role, name, phone, telegram, audience, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (n, c.role, c.name, c.phone, c.telegram, _json_list(c.audience), _json_text(c.note))
            for n, c in enumerate(contacts, start=1)
        ],
    )
    return True


async def load_contacts(conn: aiosqlite.Connection) -> list[Contact]:
    async with conn.execute("SELECT * FROM contact ORDER BY position") as cur:
        return [
            Contact(
                role=r["role"],
                name=r["name"],
                phone=r["phone"],
                telegram=r["telegram"],
                audience=None if r["audience"] is None else tuple(json.loads(r["audience"])),
                note=None if r["note"] is None else Localized(json.loads(r["note"])),
            )
            for r in await cur.fetchall()
        ]


# ---------------------------------------------------------------- travel


async def import_travel(conn: aiosqlite.Connection, entries: Sequence[DelegateEntry]) -> int:
    """Store each file delegate's travel (matched by code); returns how many changed.

    Runs after the delegates are imported, in the same transaction. A delegate whose
    travel left the file keeps a row of nothing, so the calendar can cancel its entries.
    """
    async with conn.execute(
        "SELECT d.code, d.id, t.hotel_id, t.arrival, t.departure FROM delegate d"
        " LEFT JOIN delegate_travel t ON t.delegate_id = d.id"
        " WHERE d.code IS NOT NULL AND d.source = 'file'"
    ) as cur:
        rows = {r["code"]: r for r in await cur.fetchall()}
    changed = 0
    for entry in entries:
        row = rows.get(entry.code)
        if row is None:
            continue
        wanted = (entry.hotel, _journey_text(entry.arrival), _journey_text(entry.departure))
        # No row and no travel read alike (NULLs): nothing to store.
        if (row["hotel_id"], row["arrival"], row["departure"]) == wanted:
            continue
        await conn.execute(
            "INSERT INTO delegate_travel (delegate_id, hotel_id, arrival, departure)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (delegate_id) DO UPDATE SET"
            " hotel_id = excluded.hotel_id, arrival = excluded.arrival,"
            " departure = excluded.departure, revision = revision + 1",
            (row["id"], *wanted),
        )
        changed += 1
    return changed


async def travel_of(db: Database, delegate_id: int) -> StoredTravel | None:
    row = await db.fetchone(
        "SELECT hotel_id, arrival, departure, revision FROM delegate_travel WHERE delegate_id = ?",
        (delegate_id,),
    )
    if row is None:
        return None
    travel = Travel(row["hotel_id"], _journey(row["arrival"]), _journey(row["departure"]))
    return StoredTravel(travel, row["revision"])


# ---------------------------------------------------------------- rows <-> dataclasses


def _json_text(text: Localized | None) -> str | None:
    return None if text is None else json.dumps(text.as_dict(), ensure_ascii=False, sort_keys=True)


def _json_list(values: tuple[str, ...] | None) -> str | None:
    return None if values is None else json.dumps(list(values))


def _journey_text(journey: Journey | None) -> str | None:
    if journey is None:
        return None
    data = {"at": to_db(journey.at), "place": journey.place, "flight": journey.flight}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _journey(text: str | None) -> Journey | None:
    if text is None:
        return None
    data: dict[str, Any] = json.loads(text)
    at = from_db(data["at"])
    assert at is not None
    return Journey(at, data.get("place"), data.get("flight"))
