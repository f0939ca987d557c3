"""How often each calendar entry changed: the ``SEQUENCE`` phones compare."""

from __future__ import annotations

from db.connection import Database


async def event_revisions(db: Database) -> dict[str, int]:
    """Every changed event's revision (an event never changed has none: 0)."""
    rows = await db.fetchall("SELECT event_id, revision FROM event_sequence")
    return {r["event_id"]: r["revision"] for r in rows}


async def transport_revisions(db: Database) -> dict[str, int]:
    rows = await db.fetchall("SELECT id, revision FROM transport")
    return {r["id"]: r["revision"] for r in rows}
