"""A database that cannot be opened or written is named at start; one that disappears
while the bot runs is noticed and reported (issue 15, finding 11)."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from db.connection import DatabaseUnavailable, open_db
from db.health import DatabaseWatch, database_problem
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.support.process import REPO, bot_env

ROOT = os.geteuid() == 0


async def test_a_healthy_database_has_no_problem(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "forum.sqlite3")
    try:
        assert await database_problem(db) is None
    finally:
        await db.close()


async def test_a_database_deleted_while_running_is_a_problem_with_a_way_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forum.sqlite3"
    db = await open_db(path)
    try:
        path.unlink()
        await db.execute("INSERT INTO user_language (telegram_id, language) VALUES (1, 'ru')")
        problem = await database_problem(db)
        assert problem is not None
        assert f"the database file {path} no longer exists" in problem
        assert f"cp /proc/{os.getpid()}/fd/" in problem  # where the open file still is
    finally:
        await db.close()


async def test_a_database_replaced_while_running_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "forum.sqlite3"
    db = await open_db(path)
    try:
        path.unlink()
        path.write_bytes(b"")
        problem = await database_problem(db)
        assert problem is not None and "was replaced by another file" in problem
    finally:
        await db.close()


async def test_the_watch_reports_a_deleted_database_and_its_return(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "forum.sqlite3"
    db = await open_db(path)
    watch = DatabaseWatch(db, interval=timedelta(seconds=0.02))
    await watch.start()
    try:
        with caplog.at_level(logging.WARNING, logger="db.health"):
            path.unlink()
            async with asyncio.timeout(5):
                while watch.problem is None:  # noqa: ASYNC110 - the watch polls on its own
                    await asyncio.sleep(0.02)
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "no longer exists" in errors[0].getMessage()
    finally:
        await watch.stop()
        await db.close()


async def test_the_app_watches_its_database(app: object) -> None:
    assert any(isinstance(s, DatabaseWatch) for s in app.lifecycle)  # type: ignore[attr-defined]


async def test_a_folder_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    path = tmp_path / "file" / "forum.sqlite3"
    with pytest.raises(DatabaseUnavailable, match="cannot be created or opened") as caught:
        await open_db(path)
    assert f"DATABASE_PATH={path}" in str(caught.value)


@pytest.mark.skipif(ROOT, reason="root writes to read-only files")
async def test_a_read_only_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "forum.sqlite3"
    await (await open_db(path)).close()  # created and migrated
    os.chmod(path, 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            await open_db(path)
    finally:
        os.chmod(tmp_path, 0o755)


# ------------------------------------------------------------------- the real process


def _run(tmp_path: Path, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:  # a disk that takes no more than this per file
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = bot_env(
        BOT_TOKEN="123456:TEST-token",
        TELEGRAM_API_URL="http://127.0.0.1:9",  # never reached: the database stops it first
        DATABASE_PATH=str(tmp_path / "data" / "forum.sqlite3"),
        FORUM_FILE=str(SAMPLE_FORUM_PATH),
        PYTHONDONTWRITEBYTECODE="1",  # a .pyc cut short by the limit would break the others
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=60, preexec_fn=limit, check=False,
    )  # fmt: skip


def test_a_full_disk_at_start_is_a_clear_message_naming_the_database(tmp_path: Path) -> None:
    result = _run(tmp_path, fsize=16_384)
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert f"DATABASE_PATH={tmp_path / 'data' / 'forum.sqlite3'}" in said
    assert "the disk refused a write" in said or "the disk is full" in said
    assert "Traceback" not in said


def test_import_into_a_database_that_cannot_be_opened_says_so(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the folder should be", encoding="utf-8")
    result = _run(tmp_path, "import", str(SAMPLE_FORUM_PATH))
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "Nothing was imported: DATABASE_PATH=" in said
    assert "Traceback" not in said
