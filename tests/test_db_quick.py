"""The loop's own connection (db.connection.Database.read_one / write_one): the statements of
one row that every update makes run there at once, never wait, and go through aiosqlite's
thread when they cannot (issue 10: a trip to that thread was most of a plain answer)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from db.connection import Database, open_db

INSERT = "INSERT INTO user_language (telegram_id, language) VALUES (?, ?) RETURNING language"
SELECT = "SELECT language FROM user_language WHERE telegram_id = ?"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_db(tmp_path / "forum.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def other(tmp_path: Path, db: Database) -> Iterator[sqlite3.Connection]:
    """Another process's connection to the same file."""
    conn = sqlite3.connect(tmp_path / "forum.sqlite3", isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


async def test_a_quick_read_sees_what_either_connection_committed(
    db: Database, other: sqlite3.Connection
) -> None:
    await db.execute("INSERT INTO user_language (telegram_id, language) VALUES (1, 'ru')")
    other.execute("INSERT INTO user_language (telegram_id, language) VALUES (2, 'tg')")
    first, second = await db.read_one(SELECT, (1,)), await db.read_one(SELECT, (2,))
    assert first is not None and first["language"] == "ru"
    assert second is not None and second["language"] == "tg"
    assert await db.read_one(SELECT, (3,)) is None
    assert db.quick_fallbacks == 0


async def test_a_quick_write_is_committed_for_the_other_connections(
    db: Database, other: sqlite3.Connection
) -> None:
    rows = await db.write_one(INSERT, (5, "kk"))
    assert [row["language"] for row in rows] == ["kk"]
    assert other.execute(SELECT, (5,)).fetchone() == ("kk",)
    assert db.quick_fallbacks == 0


async def test_a_read_does_not_wait_for_another_process_writing(
    db: Database, other: sqlite3.Connection
) -> None:
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO user_language (telegram_id, language) VALUES (7, 'ky')")
    try:
        assert await db.read_one(SELECT, (7,)) is None  # not committed yet
        assert db.quick_fallbacks == 0  # WAL: read at once, on the loop
    finally:
        other.execute("COMMIT")


async def test_a_write_locked_out_goes_through_the_thread_and_lands_once(
    db: Database, other: sqlite3.Connection
) -> None:
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, other.execute, "COMMIT")  # the loop stays free to let it go
    rows = await asyncio.wait_for(db.write_one(INSERT, (9, "tk")), timeout=5)
    assert [row["language"] for row in rows] == ["tk"]
    assert db.quick_fallbacks == 1
    assert other.execute("SELECT COUNT(*) FROM user_language WHERE telegram_id = 9").fetchone() == (
        1,
    )


async def test_the_quick_connection_keeps_foreign_keys(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.write_one(
            "INSERT INTO attendance (event_id, delegate_id, checked_in_at) "
            "VALUES ('no-such-event', 12345, '2026-09-14T05:00:00Z') RETURNING event_id"
        )


async def test_an_in_memory_database_answers_the_same_through_the_thread() -> None:
    db = await open_db(":memory:")
    try:
        assert [row["language"] for row in await db.write_one(INSERT, (1, "uz"))] == ["uz"]
        row = await db.read_one(SELECT, (1,))
        assert row is not None and row["language"] == "uz"
    finally:
        await db.close()
