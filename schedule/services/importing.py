"""Importing a forum file: parse and validate everything first, then one transaction."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from db.connection import Database
from db.forum import forum_hash, import_forum, stored_forum_hash
from schedule.forum_file import ForumFileError, parse_forum
from schedule.model import Forum, ImportReport


async def import_forum_text(db: Database, text: str, filename: str, now: datetime) -> ImportReport:
    """Validate and import; raises ``ForumFileError`` (and imports nothing) if invalid."""
    forum = await parse_off_loop(text, filename)
    return await import_forum(db, forum, source_hash=forum_hash(text), now=now)


async def parse_off_loop(text: str, filename: str) -> Forum:
    """Parse in a worker thread: a large file must not hold up every other update (the
    size and shape limits of :mod:`schedule.toml_limits` bound how long it takes)."""
    return await asyncio.to_thread(parse_forum, text, filename)


async def import_if_changed(db: Database, path: Path, now: datetime) -> ImportReport | None:
    """Import the file at start only when its content differs from the last import."""
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ForumFileError([f"{path}: cannot read the file: {error}"]) from error
    if await stored_forum_hash(db) == forum_hash(text):
        return None
    return await import_forum_text(db, text, str(path), now)
