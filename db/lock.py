"""One bot process per database: a lock file next to it, held for the process's life.

Two processes on one database fight over Telegram's updates (409 Conflict) and each keeps
its broadcast drafts in memory. ``flock`` is released by the kernel however the process
ends (a crash, SIGKILL), so a stale lock file never blocks a restart.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DatabaseInUse(RuntimeError):
    """Another process holds the database's lock; the message says which and where."""


class DatabaseLock:
    """An exclusive ``flock`` on ``<database>.lock``; the holder's pid is written in it."""

    def __init__(self, database_path: str | Path) -> None:
        self.database_path = Path(database_path)
        self.path = Path(f"{database_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`DatabaseInUse` at once (never waits)."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise DatabaseInUse(
                f"another bot process (pid {holder}) is running on "
                f"DATABASE_PATH={self.database_path}; stop it first (two processes would "
                "fight over Telegram's updates and lose each other's broadcast drafts)"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.close(fd)  # closing the descriptor releases the flock
