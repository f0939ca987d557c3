"""3. Start-up: process start to the first getUpdates, the real bot (200 events, 1,000
delegates already imported) against a bare aiogram bot; and the import of that file."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import Row, Sizes, median
from bench.forum import first_day, prepare_database, read_forum, write_forum
from bench.processes import environment, running
from db.connection import open_db
from schedule.clock import utc_now
from schedule.services.importing import import_forum_text
from tests.support.fake_bot_api import FakeBotApi

NAME = "start-up"


async def _import_cli(api: FakeBotApi, folder: Path, forum: Path) -> float:
    """Wall time of ``python -m bot import FILE`` into a fresh database."""
    env = environment(api, "1:unused", {"DATABASE_PATH": str(folder / "cli.sqlite3")})
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", str(forum),
        cwd=folder, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        code = await asyncio.wait_for(process.wait(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if code != 0:
        raise RuntimeError(f"python -m bot import exited with {code}")
    return time.perf_counter() - began


async def _import_in_process(folder: Path, forum: Path) -> float:
    db = await open_db(folder / "inproc.sqlite3")
    try:
        text = read_forum(forum)
        began = time.perf_counter()
        await import_forum_text(db, text, str(forum), utc_now())
        return time.perf_counter() - began
    finally:
        await db.close()


async def run(sizes: Sizes) -> list[Row]:
    # The forum lies two days ahead: a bot started now rebuilds its reminder jobs, but none
    # falls due during the measurement, whatever the hour of the run.
    start = first_day() + timedelta(days=3)
    with tempfile.TemporaryDirectory(prefix="bench-start-") as name:
        folder = Path(name)
        forum = write_forum(folder, events=sizes.events, delegates=sizes.delegates, start=start)
        database = folder / "bot.sqlite3"
        await prepare_database(database, forum, delegates=sizes.delegates, now=utc_now())
        bot_env = {"DATABASE_PATH": str(database), "FORUM_FILE": str(forum), "ADMIN_IDS": "900"}
        bot_times: list[float] = []
        bare_times: list[float] = []
        async with FakeBotApi() as api:
            cli = await _import_cli(api, folder, forum)
            # Alternate the two, so that a noisy moment of the machine hits both alike.
            for _ in range(sizes.starts):
                async with running("bare", api, folder, {}) as bare:
                    bare_times.append(bare.start_seconds)
                async with running("bot", api, folder, bot_env) as bot:
                    bot_times.append(bot.start_seconds)
        in_process = await _import_in_process(folder, forum)
    bot_s, bare_s = median(bot_times), median(bare_times)
    return [
        Row(NAME, f"start → first getUpdates (median of {sizes.starts})", bot_s, "s", bare_s,
            "≤ 1.3× bare", bot_s <= 1.3 * bare_s),
        Row(NAME, "python -m bot import (wall, incl. interpreter)", cli, "s", target="< 2 s",
            ok=cli < 2),
        Row(NAME, "import_forum_text in process", in_process, "s", target="< 2 s",
            ok=in_process < 2),
    ]  # fmt: skip
