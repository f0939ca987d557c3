"""Delegates: registration through invitation codes, language and reminder preferences.

The wrong codes and the taken invitations counted on the way in are
:mod:`db.code_attempts`; its names are importable from here too, where callers use them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

# Re-exported: callers know these as db.delegates.*.
from db.code_attempts import CodeGuesses as CodeGuesses
from db.code_attempts import claim_code_attempt as claim_code_attempt
from db.code_attempts import note_taken_attempt as note_taken_attempt
from db.connection import Database, from_db, to_db
from schedule.model import Delegate

_COLUMNS = (
    "id, name, position, group_id, role, code, source, telegram_id, language, reminders_on, "
    "reminder_offsets, registered_at, blocked_at, active"
)


def _delegate(row: Any) -> Delegate:
    offsets = json.loads(row["reminder_offsets"]) if row["reminder_offsets"] else None
    return Delegate(
        id=row["id"],
        name=row["name"],
        position=row["position"],
        group=row["group_id"],
        role=row["role"],
        code=row["code"],
        source=row["source"],
        telegram_id=row["telegram_id"],
        language=row["language"],
        reminders_on=bool(row["reminders_on"]),
        reminder_offsets=tuple(float(o) for o in offsets) if offsets is not None else None,
        registered_at=from_db(row["registered_at"]),
        blocked_at=from_db(row["blocked_at"]),
        active=bool(row["active"]),
    )


RegistrationStatus = Literal["registered", "already", "taken", "unknown"]


@dataclass(frozen=True, slots=True)
class Registration:
    status: RegistrationStatus
    delegate: Delegate | None = None


async def by_telegram_id(db: Database, telegram_id: int) -> Delegate | None:
    """The active delegate bound to this Telegram account, if any (every update asks)."""
    row = await db.read_one(
        f"SELECT {_COLUMNS} FROM delegate WHERE telegram_id = ? AND active = 1", (telegram_id,)
    )
    return _delegate(row) if row else None


async def by_id(db: Database, delegate_id: int) -> Delegate | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM delegate WHERE id = ?", (delegate_id,))
    return _delegate(row) if row else None


async def by_ids(db: Database, ids: Sequence[int]) -> dict[int, Delegate]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM delegate WHERE id IN ({marks})", list(ids))
    return {row["id"]: _delegate(row) for row in rows}


async def by_codes(db: Database, codes: Sequence[str]) -> dict[str, Delegate]:
    """The active delegates with these personal codes, by code (a signatory's name)."""
    if not codes:
        return {}
    marks = ",".join("?" * len(codes))
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM delegate WHERE active = 1 AND code IN ({marks})", list(codes)
    )
    return {row["code"]: _delegate(row) for row in rows}


async def list_delegates(
    db: Database, *, registered_only: bool = False, group: str | None = None
) -> list[Delegate]:
    """Active delegates by name; optionally only those who registered, or of one group."""
    sql = f"SELECT {_COLUMNS} FROM delegate WHERE active = 1"
    params: list[Any] = []
    if registered_only:
        sql += " AND telegram_id IS NOT NULL"
    if group is not None:
        sql += " AND group_id = ?"
        params.append(group)
    rows = await db.fetchall(sql + " ORDER BY name COLLATE NOCASE, id", params)
    return [_delegate(r) for r in rows]


async def register_with_code(
    db: Database, code: str, telegram_id: int, now: datetime, *, language: str | None
) -> Registration:
    """Bind a personal code to the first Telegram account that uses it."""
    async with db.transaction() as conn:
        async with conn.execute(
            f"SELECT {_COLUMNS} FROM delegate WHERE code = ? AND active = 1", (code,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return Registration("unknown")
        delegate = _delegate(row)
        if delegate.telegram_id == telegram_id:
            return Registration("already", delegate)
        if delegate.telegram_id is not None:
            return Registration("taken", delegate)
        # The account may hold another entry (e.g. it joined with the shared code first):
        # the personal invitation wins, the shared entry is retired.
        await conn.execute(
            "UPDATE delegate SET telegram_id = NULL, active = 0 "
            "WHERE telegram_id = ? AND source = 'shared'",
            (telegram_id,),
        )
        async with conn.execute(
            "SELECT 1 FROM delegate WHERE telegram_id = ?", (telegram_id,)
        ) as cur:
            if await cur.fetchone() is not None:
                return Registration("taken", delegate)
        await conn.execute(
            "UPDATE delegate SET telegram_id = ?, registered_at = ?, "
            "language = COALESCE(language, ?) WHERE id = ?",
            (telegram_id, to_db(now), language, delegate.id),
        )
        await conn.execute("DELETE FROM code_attempt WHERE telegram_id = ?", (telegram_id,))
    return Registration("registered", await by_id(db, delegate.id))


async def register_shared(
    db: Database, telegram_id: int, name: str, now: datetime, *, language: str | None
) -> Registration:
    """Someone joining with the shared delegation code: a delegate under their Telegram name."""
    existing = await by_telegram_id(db, telegram_id)
    if existing is not None:
        return Registration("already", existing)
    async with db.transaction() as conn:
        # An entry taken out of the forum file (or an invitation) lets go of the account:
        # with the shared code they join as anyone of the delegation, not as their old
        # entry with its group and position. Back in the file, their code brings it back.
        await conn.execute(
            "UPDATE delegate SET telegram_id = NULL "
            "WHERE telegram_id = ? AND active = 0 AND source != 'shared'",
            (telegram_id,),
        )
        await conn.execute(
            "INSERT INTO delegate (name, source, telegram_id, registered_at, language) "
            "VALUES (?, 'shared', ?, ?, ?) "
            "ON CONFLICT (telegram_id) DO UPDATE SET active = 1, name = excluded.name, "
            "group_id = NULL, position = '', role = 'member'",
            (name, telegram_id, to_db(now), language),
        )
        await conn.execute("DELETE FROM code_attempt WHERE telegram_id = ?", (telegram_id,))
    return Registration("registered", await by_telegram_id(db, telegram_id))


async def create_invited(
    db: Database, name: str, code: str, *, group: str | None, position: str = ""
) -> Delegate:
    """A delegate added by an organiser (not in the forum file)."""
    async with (
        db.transaction() as conn,
        conn.execute(
            "INSERT INTO delegate (name, position, group_id, code, source) "
            "VALUES (?, ?, ?, ?, 'invite')",
            (name, position, group, code),
        ) as cur,
    ):
        new_id = cur.lastrowid
    delegate = await by_id(db, int(new_id or 0))
    assert delegate is not None
    return delegate


async def set_language(db: Database, delegate_id: int, language: str) -> None:
    await db.execute("UPDATE delegate SET language = ? WHERE id = ?", (language, delegate_id))


async def set_reminders(
    db: Database, delegate_id: int, *, on: bool, offsets: Sequence[float] | None
) -> None:
    """Store a delegate's reminder choice; ``offsets`` None means every configured offset."""
    await db.execute(
        "UPDATE delegate SET reminders_on = ?, reminder_offsets = ? WHERE id = ?",
        (
            int(on),
            json.dumps(sorted(offsets, reverse=True)) if offsets is not None else None,
            delegate_id,
        ),
    )


async def mark_blocked(db: Database, delegate_id: int, now: datetime | None) -> None:
    """Record that the delegate blocked the bot (None: they are back)."""
    await db.execute(
        "UPDATE delegate SET blocked_at = ? WHERE id = ?",
        (to_db(now) if now else None, delegate_id),
    )


async def user_language(db: Database, telegram_id: int) -> str | None:
    """The chosen language of someone who is not a delegate (an organiser)."""
    row = await db.read_one(
        "SELECT language FROM user_language WHERE telegram_id = ?", (telegram_id,)
    )
    return row["language"] if row else None


async def set_user_language(db: Database, telegram_id: int, language: str) -> None:
    await db.execute(
        "INSERT INTO user_language (telegram_id, language) VALUES (?, ?) "
        "ON CONFLICT (telegram_id) DO UPDATE SET language = excluded.language",
        (telegram_id, language),
    )
