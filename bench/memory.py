"""4. Memory: peak RSS of ``python -m bot`` (1,000 registered delegates, 200 events) after a
burst of /schedule and /next, against the bare aiogram bot after the same burst."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from bench.common import Row, Sizes
from bench.forum import first_day, prepare_database, telegram_id, write_forum
from bench.processes import peak_rss_mb, running
from schedule.clock import utc_now
from tests.support.fake_bot_api import FakeBotApi

NAME = "memory"


async def _burst(kind: str, folder: Path, env: dict[str, str], sizes: Sizes) -> tuple[float, float]:
    """Peak RSS (MiB) before and after `sizes.burst` updates, all answered."""
    async with FakeBotApi() as api, running(kind, api, folder, env) as proc:
        idle = peak_rss_mb(proc.process.pid)
        for n in range(sizes.burst):
            user = telegram_id(n % sizes.delegates)
            api.push_message(user, "/schedule" if n % 2 == 0 else "/next")
        # Every update answered (a reply to each; the bot may send more than one).
        await api.wait_for(
            lambda r: r.token == proc.token and r.method.lower() == "sendmessage",
            count=sizes.burst,
            timeout=300,
        )
        return idle, peak_rss_mb(proc.process.pid)


async def run(sizes: Sizes) -> list[Row]:
    start = first_day() + timedelta(days=3)  # ahead, so no reminder falls due meanwhile
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as name:
        folder = Path(name)
        forum = write_forum(folder, events=sizes.events, delegates=sizes.delegates, start=start)
        database = folder / "bot.sqlite3"
        await prepare_database(database, forum, delegates=sizes.delegates, now=utc_now())
        env = {"DATABASE_PATH": str(database), "FORUM_FILE": str(forum), "ADMIN_IDS": "900"}
        bare_idle, bare_peak = await _burst("bare", folder, {}, sizes)
        bot_idle, bot_peak = await _burst("bot", folder, env, sizes)
    return [
        Row(NAME, "peak RSS after start", bot_idle, "MiB", bare_idle),
        Row(NAME, f"peak RSS after {sizes.burst} updates", bot_peak, "MiB", bare_peak,
            "≤ 1.25× bare", bot_peak <= 1.25 * bare_peak),
    ]  # fmt: skip
