"""Opening the SQLite database: WAL, busy timeout, foreign keys, migrations.

One aiosqlite connection serves the whole process. Coroutines share it, so writes go
through :meth:`Database.transaction`, which holds a lock: without it a coroutine's
statement could land inside another coroutine's open transaction and be rolled back
with it.

A second, plain ``sqlite3`` connection on the event loop's own thread takes the statements
of one row by its key that every update makes (the sender's delegate row, a check-in):
such a statement costs SQLite some microseconds, while a trip to aiosqlite's thread and
back costs the loop about 0.3 ms, which was most of a plain answer (BENCHMARKS.md). It
never waits: in WAL mode a read does not wait for a writer, its busy timeout is zero, and
a statement it cannot run at once (another process holds the write lock) goes the usual
way through aiosqlite's thread instead. It leaves checkpoints (the one step of a commit
that syncs the disk) to the aiosqlite connection, so the loop never waits for the disk.
"""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from db.migrations import migrate
from schedule.model import parse_utc, utc_text

Params = Sequence[Any] | dict[str, Any]


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened or written; the message names DATABASE_PATH."""


class Database:
    """The process's connection and the lock that keeps transactions apart.

    ``path`` and ``identity`` (device and inode of the file when it was opened) let
    :mod:`db.health` notice a file deleted or replaced under the running process.
    """

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path | None = None,
        identity: tuple[int, int] | None = None,
        quick: sqlite3.Connection | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        self.identity = identity
        self._quick = quick
        self._lock = asyncio.Lock()
        self.quick_fallbacks = 0  # statements the loop's connection could not run at once

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the block raises."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def write_one(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One write statement of one row (by its key) as its own transaction; returns its
        rows (``RETURNING``). Both connections are in autocommit mode, so under the lock (no
        transaction of this process is open) a lone statement is atomic and committed when
        it returns. On the loop's connection when it can run at once, else in one trip to
        aiosqlite's thread."""
        async with self._lock:
            rows = self._now(sql, params)
            if rows is not None:
                return rows
            return list(await self.conn.execute_fetchall(sql, params))

    async def read_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The first row of a read of one row by its key (an index lookup, microseconds):
        on the loop's connection when it can run at once, else like :meth:`fetchone`.

        It sees what is committed, not a transaction this process has open: never call it
        inside :meth:`transaction` to read what that transaction wrote."""
        rows = self._now(sql, params)
        if rows is None:
            return await self.fetchone(sql, params)
        return next(iter(rows), None)

    def _now(self, sql: str, params: Params) -> list[aiosqlite.Row] | None:
        """The statement's rows from the loop's connection; None when there is no such
        connection (an in-memory database) or the statement could not run at once (locked,
        busy), and then nothing was done."""
        if self._quick is None:
            return None
        try:
            return self._quick.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            # Locked or busy (another process writing, a checkpoint): the thread waits for
            # it with the busy timeout. A real fault (a full disk) is met there again and
            # raised as any statement's would be.
            self.quick_fallbacks += 1
            return None

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
        if self._quick is not None:
            self._quick.close()
            self._quick = None
        await self.conn.close()


async def open_db(path: str | Path) -> Database:
    """Open (creating its folder) and migrate the database at ``path``.

    Raises :class:`DatabaseUnavailable`, saying what is wrong with which path, when the
    folder or the file cannot be created, opened or written (read-only, a full disk...).
    """
    in_memory = str(path) == ":memory:"
    try:
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise DatabaseUnavailable(unavailable(path, error)) from error
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await migrate(conn)
        # A write at start, so that a read-only or full disk is found now, not by the
        # first delegate who presses a button.
        await conn.execute("BEGIN IMMEDIATE")
        await conn.execute("ROLLBACK")
    except (OSError, sqlite3.Error) as error:
        await conn.close()
        raise DatabaseUnavailable(unavailable(path, error)) from error
    except BaseException:
        await conn.close()
        raise
    if in_memory:  # a second connection would open another, empty database
        return Database(conn)
    try:
        quick = _open_quick(path)
    except sqlite3.Error as error:
        await conn.close()
        raise DatabaseUnavailable(unavailable(path, error)) from error
    stat = os.stat(path)
    return Database(conn, Path(path), (stat.st_dev, stat.st_ino), quick)


def _open_quick(path: str | Path) -> sqlite3.Connection:
    """The connection on the event loop's thread: it never waits (busy timeout zero) and
    never checkpoints (the aiosqlite connection's commits do, on its thread)."""
    quick = sqlite3.connect(str(path), isolation_level=None)
    quick.row_factory = sqlite3.Row
    try:
        for pragma in (
            "busy_timeout = 0",
            "foreign_keys = ON",
            "synchronous = NORMAL",
            "wal_autocheckpoint = 0",
        ):
            quick.execute(f"PRAGMA {pragma}")
    except BaseException:
        quick.close()
        raise
    return quick


def unavailable(path: str | Path, error: BaseException) -> str:
    """What is wrong with the database at ``path``, for a person to fix."""
    text = str(error)
    lowered = text.lower()
    if isinstance(error, PermissionError) or "readonly" in lowered or "read-only" in lowered:
        why = "the file or its folder is read-only"
    elif "full" in lowered or getattr(error, "errno", None) == errno.ENOSPC:
        why = "the disk is full"
    elif "disk i/o error" in lowered:
        why = "the disk refused a write (is it full, over a quota or failing?)"
    elif "not a database" in lowered:
        why = "the file is not an SQLite database"
    elif isinstance(error, OSError) or "unable to open" in lowered:
        why = "the file or its folder cannot be created or opened"
    else:
        why = "SQLite refused it"
    return f"DATABASE_PATH={path}: {why} ({text})"


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
