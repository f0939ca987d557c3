"""Whether the database can still take the bot's writes (for the health check).

A database file deleted while the bot runs is written to silently (the open file lives on
until the process ends) and everything is gone at the next start; a read-only or full disk
fails only on a write. So the probe looks at the path and makes one real write.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from db.connection import Database


async def database_problem(db: Database) -> str | None:
    """What is wrong with the database, or None when it is fine."""
    try:
        rows = await db.fetchall("PRAGMA database_list")
        path = next((r["file"] for r in rows if r["name"] == "main"), "")
        if path and not await asyncio.to_thread(Path(path).exists):
            return f"the database file {path} no longer exists"
        async with db.transaction() as conn:
            # Rewriting the schema version with its own value is a real write (the header
            # page goes to the WAL at the commit) that changes nothing and needs no table.
            async with conn.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            await conn.execute(f"PRAGMA user_version = {int(row[0]) if row else 0}")
    except (sqlite3.Error, ValueError, OSError) as error:
        return f"the database cannot be written: {error}"
    return None
