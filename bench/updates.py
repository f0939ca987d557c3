"""1. Update handling: /schedule, /next and /checkin from 1,000 registered delegates through the
real dispatcher (``Dispatcher.feed_update``), against a bare aiogram router answering a fixed
text through the same session."""

from __future__ import annotations

import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.types import Message, Update

from bench.common import Row, Sizes, percentile
from bench.forum import benchmark_now, first_day, register_all, telegram_id, write_forum
from bench.sessions import CheapSession, StockSession
from bot.app import create_app
from bot.delivery.budget import Budget
from bot.settings import load_settings
from tests.support import updates
from tests.support.recording import RecordingSession

NAME = "updates"
WARM_UP = 50


def bare_dispatcher() -> Dispatcher:
    """What a hand-written aiogram script does: a router answering a fixed text."""
    router = Router(name="bare")

    async def answer(message: Message) -> None:
        await message.answer("Your programme: plenary at 10:00, Hall 1.")

    router.message.register(answer, Command("schedule", "next", "checkin"))
    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def feed_sequentially(
    dp: Dispatcher, bot: Bot, batch: Sequence[Update]
) -> tuple[float, list[float]]:
    """Total seconds and per-update latencies (seconds), one update after the other."""
    latencies = []
    gc.collect()
    began = time.perf_counter()
    for update in batch:
        t0 = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - began, latencies


async def feed_burst(dp: Dispatcher, bot: Bot, batch: Sequence[Update]) -> float:
    """Total seconds for all updates handled at once (as aiogram's polling does)."""
    gc.collect()
    began = time.perf_counter()
    await asyncio.gather(*(dp.feed_update(bot, u) for u in batch))
    return time.perf_counter() - began


def has_check_in(dp: Dispatcher) -> bool:
    """Whether some router of the bot (not the fallback) takes /checkin."""
    return any(r.name.endswith("attendance") for r in dp.chain_tail)


def batch_of(command: str, delegates: int) -> list[Update]:
    return [updates.message(telegram_id(n), command) for n in range(delegates)]


async def run(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    start = first_day()
    now = benchmark_now(start)
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as folder:
        forum = write_forum(
            Path(folder), events=sizes.events, delegates=sizes.delegates, start=start
        )
        env = {
            "BOT_TOKEN": "123456:BENCH-token",
            "DATABASE_PATH": str(Path(folder) / "bot.sqlite3"),
            "FORUM_FILE": str(forum),
            "ADMIN_IDS": "900",
            "LOG_LEVEL": "WARNING",
        }
        session = CheapSession()
        # The budget's bookkeeping is measured, not its waiting: 1,000 answers in a row would
        # otherwise take 1,000/28 s whatever the handlers cost (bench/contention.py has the
        # budget's limits).
        app = await create_app(
            load_settings(env), session=session, clock=lambda: now, budget=Budget.unlimited()
        )
        try:
            await register_all(app.db, sizes.delegates, now)
            bare = bare_dispatcher()
            bare_bot = Bot("123456:BENCH-token", session=StockSession())
            commands = ["/schedule", "/next"]
            if has_check_in(app.dispatcher):
                commands.append("/checkin")
            for command in ["/schedule", "/next"]:
                # Warm both (the programme cache, aiogram's filter resolution); not measured.
                for update in batch_of(command, WARM_UP):
                    await app.dispatcher.feed_update(app.bot, update)
                    await bare.feed_update(bare_bot, update)
            for command in commands:
                rows += await _sequential_rows(
                    app, bare, bare_bot, command, sizes.delegates, rounds_of(sizes)
                )
            if "/checkin" in commands:
                rows.append(
                    await _burst_row(app, bare, bare_bot, sizes.delegates, rounds_of(sizes))
                )
            else:
                rows.append(Row(NAME, "/checkin", 0, note="handlers/attendance.py not in git yet"))
            # The tests' RecordingSession checks every HTML text like Telegram: what that costs.
            recording = RecordingSession()
            app.bot.session = recording
            total, _ = await feed_sequentially(
                app.dispatcher, app.bot, batch_of("/schedule", sizes.delegates)
            )
            rows.append(
                Row(NAME, "/schedule updates/s, RecordingSession", sizes.delegates / total, "/s",
                    note="tests' session with its HTML check, for comparison")
            )  # fmt: skip
            app.bot.session = session
            await bare_bot.session.close()
        finally:
            await app.stop()
            await app.close()
    return rows


def rounds_of(sizes: Sizes) -> int:
    """How many times each row alternates the baseline and the bot (the median is taken):
    one pass of 1,000 updates varies by ±0.03× on a shared 2-core machine."""
    return 3 if sizes.quick else 5


async def _sequential_rows(
    app: Any, bare: Dispatcher, bare_bot: Bot, command: str, count: int, rounds: int
) -> list[Row]:
    """One command sent by ``count`` delegates one after the other, against the bare bot,
    in ``rounds`` alternating rounds: the median rate of each, the latencies of all."""
    rates, base_rates, lat, base_lat = [], [], [], []
    for _ in range(rounds):
        base_total, base_round = await feed_sequentially(bare, bare_bot, batch_of(command, count))
        if command == "/checkin":
            await _reset_check_ins(app)  # every round records new check-ins
        total, round_lat = await feed_sequentially(
            app.dispatcher, app.bot, batch_of(command, count)
        )
        rates.append(count / total)
        base_rates.append(count / base_total)
        lat += round_lat
        base_lat += base_round
    rate, base_rate = statistics.median(rates), statistics.median(base_rates)
    p99 = percentile(lat, 99) * 1000
    return [
        Row(NAME, f"{command} updates/s", rate, "/s", base_rate, "≥ 0.5× bare",
            rate >= 0.5 * base_rate),
        Row(NAME, f"{command} p50", percentile(lat, 50) * 1000, "ms",
            percentile(base_lat, 50) * 1000),
        Row(NAME, f"{command} p99", p99, "ms", percentile(base_lat, 99) * 1000,
            "< 20 ms", p99 < 20),
    ]  # fmt: skip


async def _burst_row(app: Any, bare: Dispatcher, bare_bot: Bot, count: int, rounds: int) -> Row:
    """The same delegates pressing "Check in" at once: all handled together (the median of
    ``rounds`` alternating rounds)."""
    rates, base_rates = [], []
    batch = batch_of("/checkin", count)
    for _ in range(rounds):
        await _reset_check_ins(app)
        base_rates.append(count / await feed_burst(bare, bare_bot, batch))
        rates.append(count / await feed_burst(app.dispatcher, app.bot, batch))
    rate, base_rate = statistics.median(rates), statistics.median(base_rates)
    return Row(NAME, "/checkin burst updates/s", rate, "/s", base_rate, "≥ 0.5× bare",
               rate >= 0.5 * base_rate)  # fmt: skip


async def _reset_check_ins(app: object) -> None:
    """Forget the sequential run's check-ins, so the burst records 1,000 new ones."""
    async with app.db.transaction() as conn:  # type: ignore[attr-defined]
        await conn.execute("DELETE FROM attendance")
