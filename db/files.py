"""The database as a file, for the command line: a look that writes nothing, and a backup.

Both may run while the bot runs. They use the standard library's ``sqlite3`` (no event loop
needed). A read-only connection to a WAL database creates its ``-wal`` and ``-shm`` files
when they are missing and leaves them behind, so a database with no ``-wal`` file (the bot
is not running, everything is in the main file) is opened as immutable instead.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from db.migrations import MIGRATIONS


class BackupError(Exception):
    """The backup was not made; the message says why."""


@dataclass(frozen=True, slots=True)
class DatabaseFacts:
    schema_version: int
    forum_hash: str | None  # of the forum file last imported
    size: int  # bytes of the main file


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write and creates no file."""
    uri = "file:" + quote(str(path.resolve()))
    wal = Path(f"{path}-wal")
    uri += "?mode=ro" if wal.exists() else "?immutable=1"
    conn = sqlite3.connect(uri, uri=True)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def inspect(path: Path) -> DatabaseFacts:
    """What the database at ``path`` holds; raises sqlite3.Error if it is not one."""
    with closing(open_read_only(path)) as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        forum_hash = None
        if version >= 1:
            row = conn.execute("SELECT source_hash FROM forum WHERE id = 1").fetchone()
            forum_hash = row[0] if row else None
    return DatabaseFacts(version, forum_hash, path.stat().st_size)


def known_schema() -> int:
    return len(MIGRATIONS)


def backup(source: Path, target: Path, *, force: bool = False) -> dict[str, int]:
    """A consistent copy of ``source`` at ``target`` with SQLite's online backup (the bot
    may be writing meanwhile); returns the rows of each table of the copy.

    The copy is written next to ``target`` and renamed over it only when complete, so a
    failed backup leaves no half-written file and, with ``force``, the old copy intact.
    """
    if not source.is_file():
        raise BackupError(f"{source}: there is no database to back up")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; give --force to overwrite it")
    if target.resolve() == source.resolve():
        raise BackupError(f"{target} is the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        with closing(open_read_only(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)  # one step: a snapshot, however much the bot writes meanwhile
            # The copy stands alone: one file, no -wal beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
            problem = dst.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"the copy does not check out: {problem}")
            rows = _row_counts(dst)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"{source} -> {target}: {error}") from error
    finally:
        Path(partial).unlink(missing_ok=True)
    return rows


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    # The names come from the copy's own schema, not from outside.
    return {n: int(conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in names}
