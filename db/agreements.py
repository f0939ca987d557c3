"""The agreements of the visit: imported from the forum file, their status, the photos of
their signing, and the history of event changes the visit report tells.

An import keeps the status an organiser set unless the file's own status changed (see
:meth:`AgreementState.reimported`); an agreement dropped from the file is kept inactive,
with its photos, and comes back as it was if the file lists it again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import aiosqlite

from db import audit
from db.connection import Database, from_db, to_db
from schedule.model import (
    Agreement,
    AgreementPhoto,
    AgreementState,
    AgreementStatus,
    EventRevision,
    Localized,
)

_COLUMNS = (
    "id, kind, title, partner, partner_country, event_id, signatories, partner_signatories,"
    " scope, copies, status, signed_by, signed_at"
)

PhotoOutcome = Literal["added", "duplicate", "full", "unknown"]


async def import_agreements(
    conn: aiosqlite.Connection, agreements: Sequence[Agreement], now: datetime
) -> tuple[int, int, int]:
    """Reconcile the stored agreements with the file's, inside the import's transaction.

    Returns (added, changed, removed); an agreement back in the file counts as added.
    """
    stamp = to_db(now)
    async with conn.execute(
        f"SELECT {_COLUMNS}, position, file_status, active FROM agreement"
    ) as cur:
        stored = {row["id"]: row for row in await cur.fetchall()}
    added = changed = removed = 0
    for position, agreement in enumerate(agreements):
        row = stored.get(agreement.id)
        if row is None:
            state = AgreementState(agreement.status, agreement.status)
            added += 1
        else:
            state = _state(row).reimported(agreement.status)
            if not row["active"]:
                added += 1
            elif (
                _agreement(row) != _with_state(agreement, state)
                or (row["position"], row["file_status"]) != (position, state.file_status)
            ):
                changed += 1
            else:
                continue
        await _upsert(conn, agreement, position, state, stamp)
    listed = {a.id for a in agreements}
    for ident, row in stored.items():
        if row["active"] and ident not in listed:
            await conn.execute(
                "UPDATE agreement SET active = 0, updated_at = ? WHERE id = ?", (stamp, ident)
            )
            removed += 1
    return added, changed, removed


_UPSERT = (
    "INSERT INTO agreement (id, position, kind, title, partner, partner_country,"
    " event_id, signatories, partner_signatories, scope, copies, file_status, status,"
    " signed_by, signed_at, active, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
    " ON CONFLICT (id) DO UPDATE SET position = excluded.position,"
    " kind = excluded.kind, title = excluded.title, partner = excluded.partner,"
    " partner_country = excluded.partner_country, event_id = excluded.event_id,"
    " signatories = excluded.signatories,"
    " partner_signatories = excluded.partner_signatories, scope = excluded.scope,"
    " copies = excluded.copies, file_status = excluded.file_status,"
    " status = excluded.status, signed_by = excluded.signed_by,"
    " signed_at = excluded.signed_at, active = 1, updated_at = excluded.updated_at"
)


async def _upsert(
    conn: aiosqlite.Connection,
    agreement: Agreement,
    position: int,
    state: AgreementState,
    stamp: str,
) -> None:
    await conn.execute(
        _UPSERT,
        (
            agreement.id,
            position,
            agreement.kind,
            _json_text(agreement.title),
            agreement.partner,
            agreement.partner_country,
            agreement.event,
            json.dumps(list(agreement.signatories), ensure_ascii=False),
            json.dumps(list(agreement.partner_signatories), ensure_ascii=False),
            json.dumps([item.as_dict() for item in agreement.scope], ensure_ascii=False),
            agreement.copies,
            state.file_status,
            state.status,
            state.signed_by,
            None if state.signed_at is None else to_db(state.signed_at),
            stamp,
        ),
    )


async def list_agreements(db: Database) -> list[Agreement]:
    """The agreements the forum file lists, in its order."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM agreement WHERE active = 1 ORDER BY position, id"
    )
    return [_agreement(r) for r in rows]


async def get_agreement(db: Database, agreement_id: str) -> Agreement | None:
    """The agreement if the forum file lists it."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM agreement WHERE id = ? AND active = 1", (agreement_id,)
    )
    return None if row is None else _agreement(row)


async def get_state(db: Database, agreement_id: str) -> AgreementState | None:
    row = await db.fetchone(
        "SELECT status, file_status, signed_by, signed_at FROM agreement"
        " WHERE id = ? AND active = 1",
        (agreement_id,),
    )
    return None if row is None else _state(row)


async def set_state(
    db: Database,
    agreement_id: str,
    *,
    expected: AgreementStatus,
    state: AgreementState,
    organiser: int,
    now: datetime,
) -> bool:
    """Set the status if it is still ``expected``, and write the organisers' log line in the
    same transaction; False (and nothing written) when someone changed it meanwhile."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE agreement SET status = ?, signed_by = ?, signed_at = ?, updated_at = ?"
            " WHERE id = ? AND status = ? AND active = 1",
            (
                state.status,
                state.signed_by,
                None if state.signed_at is None else to_db(state.signed_at),
                to_db(now),
                agreement_id,
                expected,
            ),
        )
        if cur.rowcount != 1:
            return False
        await audit.append(
            conn, organiser, "agreement", f"{agreement_id}: {expected} -> {state.status}", now
        )
    return True


async def add_photo(db: Database, photo: AgreementPhoto, *, limit: int) -> PhotoOutcome:
    """Attach a photo, unless the agreement already has it or ``limit`` photos."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM agreement WHERE id = ? AND active = 1", (photo.agreement_id,)
        ) as cur:
            if await cur.fetchone() is None:
                return "unknown"
        async with conn.execute(
            "SELECT file_unique_id FROM agreement_photo WHERE agreement_id = ?",
            (photo.agreement_id,),
        ) as cur:
            stored = {row[0] for row in await cur.fetchall()}
        if photo.file_unique_id in stored:
            return "duplicate"
        if len(stored) >= limit:
            return "full"
        await conn.execute(
            "INSERT INTO agreement_photo (agreement_id, file_unique_id, file_id, added_by,"
            " added_at) VALUES (?, ?, ?, ?, ?)",
            (
                photo.agreement_id,
                photo.file_unique_id,
                photo.file_id,
                photo.added_by,
                to_db(photo.added_at),
            ),
        )
    return "added"


async def photos(db: Database, agreement_id: str | None = None) -> list[AgreementPhoto]:
    """The photos of one agreement (or of all), in the order they were added."""
    sql = (
        "SELECT agreement_id, file_id, file_unique_id, added_by, added_at FROM agreement_photo"
    )
    params: tuple[Any, ...] = ()
    if agreement_id is not None:
        sql += " WHERE agreement_id = ?"
        params = (agreement_id,)
    rows = await db.fetchall(sql + " ORDER BY added_at, rowid", params)
    return [
        AgreementPhoto(
            agreement_id=r["agreement_id"],
            file_id=r["file_id"],
            file_unique_id=r["file_unique_id"],
            added_by=r["added_by"],
            added_at=from_db(r["added_at"]),  # type: ignore[arg-type]  # NOT NULL column
        )
        for r in rows
    ]


async def event_revisions(db: Database) -> list[EventRevision]:
    """Every recorded change of an event's time, place or status, oldest first."""
    rows = await db.fetchall("SELECT * FROM event_revision ORDER BY id")
    return [
        EventRevision(
            event_id=r["event_id"],
            starts_before=from_db(r["starts_before"]),  # type: ignore[arg-type]
            starts_after=from_db(r["starts_after"]),  # type: ignore[arg-type]
            ends_before=from_db(r["ends_before"]),  # type: ignore[arg-type]
            ends_after=from_db(r["ends_after"]),  # type: ignore[arg-type]
            venue_before=r["venue_before"],
            venue_after=r["venue_after"],
            status_before=r["status_before"],
            status_after=r["status_after"],
            at=from_db(r["at"]),  # type: ignore[arg-type]
        )
        for r in rows
    ]


# ---------------------------------------------------------------- rows <-> dataclasses


def _json_text(text: Localized) -> str:
    return json.dumps(text.as_dict(), ensure_ascii=False, sort_keys=True)


def _state(row: Any) -> AgreementState:
    return AgreementState(
        status=row["status"],
        file_status=row["file_status"],
        signed_by=row["signed_by"],
        signed_at=from_db(row["signed_at"]),
    )


def _with_state(agreement: Agreement, state: AgreementState) -> Agreement:
    values = {name: getattr(agreement, name) for name in Agreement.__dataclass_fields__}
    values.update(status=state.status, signed_by=state.signed_by, signed_at=state.signed_at)
    return Agreement(**values)


def _agreement(row: Any) -> Agreement:
    return Agreement(
        id=row["id"],
        kind=row["kind"],
        title=Localized(json.loads(row["title"])),
        partner=row["partner"],
        partner_country=row["partner_country"],
        event=row["event_id"],
        signatories=tuple(json.loads(row["signatories"])),
        partner_signatories=tuple(json.loads(row["partner_signatories"])),
        scope=tuple(Localized(item) for item in json.loads(row["scope"])),
        copies=row["copies"],
        status=row["status"],
        signed_by=row["signed_by"],
        signed_at=from_db(row["signed_at"]),
    )
