"""Venues and delegation groups: the forum file's two plain tables, replaced whole at
each import (:mod:`db.forum`) and read back with the stored forum."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import aiosqlite

from schedule.model import Group, Venue

_VENUE_UPSERT = (
    "INSERT INTO venue (id, name, address, lat, lon) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
    " address = excluded.address, lat = excluded.lat, lon = excluded.lon"
)
_GROUP_UPSERT = (
    "INSERT INTO delegation_group (id, name) VALUES (?, ?)"
    " ON CONFLICT (id) DO UPDATE SET name = excluded.name"
)


async def _replace_rows(
    conn: aiosqlite.Connection,
    table: str,
    stored: Iterable[Any],
    wanted: Iterable[Any],
    upsert: str,
    values: Callable[[Any], tuple[Any, ...]],
) -> None:
    """Make ``table`` hold exactly ``wanted`` (matched by id): write what differs, delete
    the rest. ``table`` and ``upsert`` are this module's constants, never outside text."""
    before = {row.id: row for row in stored}
    after = {row.id: row for row in wanted}
    for row_id, row in after.items():
        if before.get(row_id) != row:
            await conn.execute(upsert, values(row))
    for gone in before.keys() - after.keys():
        await conn.execute(f"DELETE FROM {table} WHERE id = ?", (gone,))


async def replace_venues(conn: aiosqlite.Connection, venues: tuple[Venue, ...]) -> None:
    def values(v: Venue) -> tuple[Any, ...]:
        return (v.id, v.name, v.address, v.lat, v.lon)

    await _replace_rows(conn, "venue", await load_venues(conn), venues, _VENUE_UPSERT, values)


async def replace_groups(conn: aiosqlite.Connection, groups: tuple[Group, ...]) -> None:
    stored = await load_groups(conn)
    await _replace_rows(
        conn, "delegation_group", stored, groups, _GROUP_UPSERT, lambda g: (g.id, g.name)
    )


async def load_venues(conn: aiosqlite.Connection) -> list[Venue]:
    async with conn.execute("SELECT id, name, address, lat, lon FROM venue ORDER BY id") as cur:
        return [
            Venue(r["id"], r["name"], r["address"], r["lat"], r["lon"])
            for r in await cur.fetchall()
        ]


async def load_groups(conn: aiosqlite.Connection) -> list[Group]:
    async with conn.execute("SELECT id, name FROM delegation_group ORDER BY id") as cur:
        return [Group(r["id"], r["name"]) for r in await cur.fetchall()]
