"""Opening the SQLite database: WAL, busy timeout, foreign keys, migrations.

One aiosqlite connection serves the whole process. Coroutines share it, so writes go
through :meth:`Database.transaction`, which holds a lock: without it a coroutine's
statement could land inside another coroutine's open transaction and be rolled back
with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from db.migrations import migrate
from schedule.model import parse_utc, utc_text

Params = Sequence[Any] | dict[str, Any]


class Database:
    """The process's connection and the lock that keeps transactions apart."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()
        # Transactions committed (or rolled back) so far: a read remembered together with
        # this number is still what the database holds while the number is the same (this
        # process is the database's only writer).
        self.writes = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the block raises."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.writes += 1
                await self.conn.execute("ROLLBACK")
                raise
            self.writes += 1
            await self.conn.execute("COMMIT")

    async def write_one(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One write statement as its own transaction, in one trip to aiosqlite's thread:
        the connection is in autocommit mode, so under the lock a lone statement is atomic
        and committed when it returns. Returns its rows (``RETURNING``)."""
        async with self._lock:
            try:
                return list(await self.conn.execute_fetchall(sql, params))
            finally:
                self.writes += 1

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; returns the rows changed."""
        async with self.transaction() as conn, conn.execute(sql, params) as cur:
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        # One trip to aiosqlite's thread; execute + fetch + close on a cursor take three,
        # and on a hot path (the delegate of every update) the trips cost more than the query.
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The first row (for queries that select one)."""
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def close(self) -> None:
        await self.conn.close()


async def open_db(path: str | Path) -> Database:
    """Open (creating its folder) and migrate the database at ``path``."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return Database(conn)


def to_db(moment: datetime) -> str:
    """An aware instant as the UTC text stored in the database (sortable as text)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database layer")
    return utc_text(moment, micro=True)


def from_db(text: str | None) -> datetime | None:
    """The stored UTC text back as an aware instant."""
    if text is None:
        return None
    return parse_utc(text)
