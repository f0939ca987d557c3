"""Whether the database can still take the bot's writes (for the health check and the watch).

A database file deleted while the bot runs is written to silently (the open file lives on
until the process ends) and everything is gone at the next start; a read-only or full disk
fails only on a write. So the probe looks at the path, checks that it is still the file
that was opened and that its disk has room, and makes one real write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from db.connection import Database

log = logging.getLogger(__name__)
# Below this much free space, SQLite's next checkpoint or transaction may fail.
MIN_FREE_BYTES = 1_000_000


async def database_problem(db: Database) -> str | None:
    """What is wrong with the database, or None when it is fine."""
    try:
        rows = await db.fetchall("PRAGMA database_list")
        path = next((r["file"] for r in rows if r["name"] == "main"), "")
        if path:
            problem = await asyncio.to_thread(_file_problem, Path(path), db.identity)
            if problem is not None:
                return problem
        async with db.transaction() as conn:
            # Rewriting the schema version with its own value is a real write (the header
            # page goes to the WAL at the commit) that changes nothing and needs no table.
            async with conn.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            await conn.execute(f"PRAGMA user_version = {int(row[0]) if row else 0}")
    except (sqlite3.Error, ValueError, OSError) as error:
        return f"the database cannot be written: {error}"
    return None


def _file_problem(path: Path, identity: tuple[int, int] | None) -> str | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (
            f"the database file {path} no longer exists: what the bot writes now is lost "
            f"when it stops. Copy the open file back before stopping it: {_recovery_hint(path)}"
        )
    if identity is not None and (stat.st_dev, stat.st_ino) != identity:
        return (
            f"the database file {path} was replaced by another file while the bot runs; it "
            "still writes to the one it opened, which is lost when it stops"
        )
    if not os.access(path, os.W_OK):
        return f"the database file {path} is read-only"
    free = shutil.disk_usage(path.parent).free
    if free < MIN_FREE_BYTES:
        return f"the disk of the database file {path} is full ({free} bytes free)"
    return None


def _recovery_hint(path: Path) -> str:
    """Where the deleted file can still be read (Linux keeps it open under /proc)."""
    name = f"{os.path.abspath(path)} (deleted)"
    with contextlib.suppress(OSError):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/self/fd/{fd}") == name:
                    return f"cp /proc/{os.getpid()}/fd/{fd} {path}"
    return "it is still open by this process (see /proc/<pid>/fd on Linux)"


class DatabaseWatch:
    """Looks for :func:`database_problem` every ``interval`` while the bot runs, and logs
    an error when one appears (again every ``repeat`` while it lasts) and when it is gone."""

    def __init__(
        self,
        db: Database,
        *,
        interval: timedelta = timedelta(seconds=30),
        repeat: timedelta = timedelta(minutes=10),
    ) -> None:
        self.db = db
        self.interval = interval
        self.repeat = repeat
        self.problem: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="database-watch")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def check(self) -> str | None:
        """One look; logs what changed since the last one."""
        problem = await database_problem(self.db)
        if problem is not None and problem != self.problem:
            log.error("DATABASE_PATH: %s", problem)
        elif problem is None and self.problem is not None:
            log.warning("the database problem is gone: DATABASE_PATH=%s", self.db.path)
        self.problem = problem
        return problem

    async def _watch(self) -> None:
        since_said = timedelta(0)
        while True:
            await asyncio.sleep(self.interval.total_seconds())
            before = self.problem
            try:
                problem = await self.check()
            except Exception:  # the watch must not die of what it watches for
                log.exception("the database check failed")
                continue
            since_said = timedelta(0) if problem != before else since_said + self.interval
            if problem is not None and since_said >= self.repeat:
                log.error("DATABASE_PATH: %s", problem)
                since_said = timedelta(0)
