"""The schema is versioned: a database of an older version is migrated, never recreated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db import open_db
from db.migrations import MIGRATIONS


def _make_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.close()


async def test_new_database_reaches_the_newest_version(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "sub" / "new.sqlite3")
    try:
        row = await db.fetchone("PRAGMA user_version")
        assert row is not None and row[0] == len(MIGRATIONS)
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
    finally:
        await db.close()


async def test_first_version_database_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _make_version(path, 1)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO delegate (name, code, telegram_id, source) "
        "VALUES ('Old Friend', 'c1', 5, 'file')"
    )
    conn.commit()
    conn.close()
    db = await open_db(path)
    try:
        row = await db.fetchone("PRAGMA user_version")
        assert row is not None and row[0] == len(MIGRATIONS)
        kept = await db.fetchone("SELECT name FROM delegate WHERE telegram_id = 5")
        assert kept is not None and kept["name"] == "Old Friend"
    finally:
        await db.close()


async def test_reopening_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    for _ in range(2):
        db = await open_db(path)
        await db.execute(
            "INSERT INTO user_language (telegram_id, language) VALUES (?, 'ru') "
            "ON CONFLICT DO NOTHING",
            (1,),
        )
        await db.close()
    db = await open_db(path)
    try:
        rows = await db.fetchall("SELECT * FROM user_language")
        assert len(rows) == 1
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "tx.sqlite3")
    try:
        try:
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO user_language VALUES (1, 'en')")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert await db.fetchall("SELECT * FROM user_language") == []
    finally:
        await db.close()
