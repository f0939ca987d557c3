"""Stopping while work is in flight: an answer being sent, a reminder fan-out being run.

A stop lets what was handed out finish and record itself before the sender, the session
and the database close; what was not sent yet goes out, once, at the next start.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod

from bot.app import create_app
from bot.settings import load_settings
from db import deliveries
from tests.conftest import Chat
from tests.support.fake_bot_api import FakeBotApi
from tests.support.recording import RecordingSession
from tests.test_e2e import DELEGATE, START_TIMEOUT, _is, _log, bot_process
from tests.test_reminders_integration import forum_text


async def test_sigterm_lets_an_answer_in_flight_finish(tmp_path: Path) -> None:
    async with FakeBotApi() as api, bot_process(api, tmp_path) as process:
        await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
        api.latency = 1.0  # the greeting is still on its way when the signal comes
        api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
        (greeting,) = await api.wait_for(_is("sendMessage", DELEGATE), timeout=20)  # type: ignore[arg-type]
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=15) == 0, _log(tmp_path)
        assert greeting.response is not None and greeting.response["ok"], _log(tmp_path)
    log = _log(tmp_path)
    assert "Traceback" not in log, log
    assert "Update id=1 is handled" in log, log


class SlowReminders(RecordingSession):
    """Each reminder takes a while to reach the 'server', so a stop finds some in flight."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.first_reminder = asyncio.Event()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        if str(getattr(method, "text", "")).startswith("⏰"):
            self.first_reminder.set()
            await asyncio.sleep(0.3)
        return await super().make_request(bot, method, timeout)

    def reminded(self) -> Counter[int]:
        return Counter(c.chat_id for c in self.calls if c.text.startswith("⏰"))


async def test_a_stop_during_a_scheduled_reminder_run_loses_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    people = 40
    due = (datetime.now(tz=UTC) + timedelta(seconds=4)).replace(microsecond=0)
    text = forum_text(due + timedelta(seconds=3), due + timedelta(hours=5))
    text += "".join(
        f'\n[[delegate]]\nname = "Delegate {n}"\ncode = "k7Qx-code-{n:04}"\ngroup = "g"\n'
        for n in range(people)
    )
    (tmp_path / "forum.toml").write_text(text, encoding="utf-8")
    settings = load_settings(
        {
            "BOT_TOKEN": "123456:TEST-token",
            "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            "FORUM_FILE": str(tmp_path / "forum.toml"),
            "REMINDER_OFFSETS": "0.05",  # 3 s before the start
        },
        allow_fractional_offsets=True,
    )
    first = SlowReminders()
    app = await create_app(settings, session=first)  # the real clock and scheduler
    try:
        await app.start()
        chat = Chat(app, first)
        for n in range(people):
            await chat.register(1000 + n, f"k7Qx-code-{n:04}")
        # The scheduler's job starts the fan-out; stop while it is under way.
        await asyncio.wait_for(first.first_reminder.wait(), timeout=30)
    finally:
        await app.stop()
        await app.close()
    assert 0 < len(first.reminded()) < people, "the stop came in the middle of the fan-out"

    second = RecordingSession()
    app = await create_app(settings, session=second)
    try:
        rows = await deliveries.list_deliveries(app.db, kind="reminder")
        # Every outcome was recorded before the database closed: nothing is left in doubt.
        assert {r.status for r in rows} == {"sent", "pending"}
        await app.start()
        await app.services.notifier.idle()
        rows = await deliveries.list_deliveries(app.db, kind="reminder")
        assert [r.status for r in rows] == ["sent"] * people
    finally:
        await app.stop()
        await app.close()
    reminded = first.reminded() + Counter(
        c.chat_id for c in second.calls if c.text.startswith("⏰")
    )
    assert reminded == Counter({1000 + n: 1 for n in range(people)})
