"""6. Contention: answers, a reminder and a broadcast through the one outbound budget.

A FakeBotApi answering in 50 ms and refusing (429) beyond 30 messages a second overall and
one a second per chat; the bot polls it in process (``Dispatcher.start_polling``). A
broadcast to 1,000 delegates is confirmed 5 s before a reminder falls due for 100 of them;
during the broadcast 50 delegates send /next, spread over 5 s. Run twice: as built, and
with answers bypassing the budget (straight to the Bot API, as before issue 10).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod

from bench.common import Row, Sizes, percentile
from bench.delivery import _mark_briefings_done, _mono, reminder_setup
from bench.forum import register_all, telegram_id
from bot.app import App, create_app
from bot.delivery.outbound import Outbound, _turn_held
from bot.delivery.priority import Priority, current_priority
from bot.settings import load_settings
from tests.support.fake_bot_api import FakeBotApi

NAME = "contention"
LATENCY = 0.05
LIMIT = 30.0
LEAD = 20.0  # seconds from the start of the set-up to the reminder's due time
BROADCAST_BEFORE = 5.0  # the broadcast is confirmed this long before the reminder is due
ASKERS = 50
ASKING_SPAN = 5.0
BROADCAST_TEXT = "<b>Change of venue</b>: the dinner is at Hall 2, 19:00."


class AnswersBypass(Outbound):
    """The build before issue 10: answers go straight to the Bot API (pushes still paced)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        if current_priority.get() == Priority.ANSWER and not _turn_held.get():
            return await make_request(bot, method)
        return await super().__call__(make_request, bot, method)


async def run(sizes: Sizes) -> list[Row]:
    people, reminded = sizes.broadcast, sizes.fanout // 5  # 1,000 and 100 (quick: 300, 30)
    built = await _scenario(people, reminded, bypass=False)
    bypass = await _scenario(people, reminded, bypass=True)
    return _rows(built, bypass, people, reminded)


async def _scenario(people: int, reminded: int, *, bypass: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-contention-") as name:
        folder = Path(name)
        async with FakeBotApi(latency=LATENCY, rate_limit=LIMIT, per_chat_limit=1.0) as api:
            env, due = reminder_setup(folder, api.url, NAME, people, reminded, lead=LEAD)
            env["ADMIN_IDS"] = "900"
            session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
            app = await create_app(load_settings(env), session=session)
            if bypass:
                app.sender.outbound.__class__ = AnswersBypass
            polling: asyncio.Task[None] | None = None
            try:
                await register_all(app.db, people, datetime.now(tz=UTC))
                await _mark_briefings_done(app)
                polling = asyncio.create_task(
                    app.dispatcher.start_polling(
                        app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
                    )
                )
                await api.wait_for(lambda r: r.method == "getUpdates", timeout=30)
                return await _contend(api, app, people, reminded, due)
            finally:
                if polling is not None:
                    await app.dispatcher.stop_polling()
                    await asyncio.gather(polling, return_exceptions=True)
                await app.stop()
                await app.close()
    raise AssertionError("unreachable")


async def _sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(tz=UTC)).total_seconds()))


async def _contend(
    api: FakeBotApi, app: App, people: int, reminded: int, due: datetime
) -> dict[str, Any]:
    spare = (due - datetime.now(tz=UTC)).total_seconds() - BROADCAST_BEFORE
    if spare < 0.5:
        raise RuntimeError(f"set-up ran {-spare:.1f} s too long; raise LEAD")
    await _sleep_until(due - timedelta(seconds=BROADCAST_BEFORE))
    service = app.services.broadcasts
    confirmed = time.monotonic()
    broadcast_id = await service.create(
        organiser_id=900, content=_content(), audience=None, confirm=False, chat_id=None
    )
    broadcast = service.launch(broadcast_id)
    asked = await _ask_next(api, people, due)
    counts = await asyncio.wait_for(broadcast, timeout=people / 10 + 60)
    # Let the last answers and reminders land.
    reminder_chats = {telegram_id(n) for n in range(reminded)}
    await _settle(api, reminder_chats, asked)
    due_mono = _mono(due)
    reminder_times = sorted(t for t in _reminders(api, reminder_chats).values())
    answers = _answers(api, asked)
    broadcast_times = sorted(
        r.time for r in api.requests
        if r.status == 200 and r.method == "sendMessage" and "Change of venue" in _text(r)
    )  # fmt: skip
    per_chat = Counter(
        r.chat_id for r in api.requests
        if r.status == 200 and r.method == "sendMessage" and "Change of venue" in _text(r)
    )  # fmt: skip
    first_b, last_b = broadcast_times[0], broadcast_times[-1]
    during = [
        r for r in api.requests
        if r.status == 200 and r.method.startswith("send") and first_b <= r.time <= last_b
    ]  # fmt: skip
    return {
        "confirmed": confirmed,
        "reminder_first": reminder_times[0] - due_mono if reminder_times else None,
        "reminder_last": reminder_times[-1] - due_mono if reminder_times else None,
        "reminded": len(reminder_times),
        "answered": len(answers),
        "answer_p99": percentile([answers[c] - asked[c] for c in answers], 99) if answers else None,
        "answer_max": max((answers[c] - asked[c] for c in answers), default=None),
        "broadcast_sent": counts.sent,
        "broadcast_once": sum(1 for v in per_chat.values() if v == 1),
        "broadcast_twice": sum(1 for v in per_chat.values() if v > 1),
        "broadcast_own_rate": (len(broadcast_times) - 1) / (last_b - first_b),
        "all_rate": (len(during) - 1) / (last_b - first_b),
        "n429": api.count_429,
    }


async def _ask_next(api: FakeBotApi, people: int, due: datetime) -> dict[int, float]:
    """50 delegates across the delegation (some of them reminded too) ask /next, one every
    0.1 s, from 2.5 s before the reminder's due time to 2.5 s after it: when each asked."""
    askers = [telegram_id(n * (people // ASKERS)) for n in range(ASKERS)]
    asked: dict[int, float] = {}
    start_asking = due - timedelta(seconds=ASKING_SPAN / 2)
    await _sleep_until(start_asking)
    for n, chat in enumerate(askers):
        await _sleep_until(start_asking + timedelta(seconds=n * ASKING_SPAN / ASKERS))
        api.push_message(chat, "/next")
        asked[chat] = time.monotonic()
    return asked


async def _settle(api: FakeBotApi, reminder_chats: set[int], asked: dict[int, float]) -> None:
    """Until everything expected arrived, or 20 s (a lost answer never arrives)."""
    reminded = len(reminder_chats)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if len(_reminders(api, reminder_chats)) >= reminded and len(_answers(api, asked)) >= len(
            asked
        ):
            break
        with contextlib.suppress(TimeoutError):
            await api.wait_for(lambda r: True, count=len(api.requests) + 1, timeout=0.5)


def _content() -> Any:
    from db.broadcasts import Content

    return Content("text", BROADCAST_TEXT)


def _text(record: Any) -> str:
    return str(record.params.get("text", ""))


def _reminders(api: FakeBotApi, chats: set[int]) -> dict[int, float]:
    """The first reminder each reminded delegate received: arrival time by chat."""
    found: dict[int, float] = {}
    for r in api.requests:
        if r.status == 200 and r.chat_id in chats and _text(r).startswith("⏰"):
            found.setdefault(r.chat_id, r.time)
    return found


def _answers(api: FakeBotApi, asked: dict[int, float]) -> dict[int, float]:
    """The /next answer each asker received (not the broadcast, not a reminder)."""
    found: dict[int, float] = {}
    for r in api.requests:
        if r.status != 200 or r.method != "sendMessage" or r.chat_id not in asked:
            continue
        text = _text(r)
        if r.time < asked[r.chat_id] or "Change of venue" in text or text.startswith("⏰"):
            continue
        found.setdefault(r.chat_id, r.time)
    return found


def _rows(built: dict[str, Any], bypass: dict[str, Any], people: int, reminded: int) -> list[Row]:
    last_target = reminded / 27 + 1

    def pair(metric: str, key: str, unit: str, target: str, ok: Any, note: str = "") -> Row:
        value = built[key]
        checked = None if value is None or target == "—" else ok(value)
        return Row(
            NAME, metric, float("nan") if value is None else value, unit,
            baseline=bypass[key], target=target, ok=checked, note=note,
        )  # fmt: skip

    return [
        pair(f"reminder to {reminded}: first message late by", "reminder_first", "s", "≤ 1 s",
             lambda v: v <= 1),
        pair(f"reminder to {reminded}: last message late by", "reminder_last", "s",
             f"≤ {last_target:.1f} s ({reminded}/27 + 1)", lambda v: v <= last_target),
        pair(f"/next answered (of {ASKERS})", "answered", "", f"{ASKERS}",
             lambda v: v == ASKERS, "baseline: answers bypassing the budget"),
        pair("/next update → answer at the server, p99", "answer_p99", "s", "≤ 1.5 s",
             lambda v: v <= 1.5),
        pair(f"broadcast to {people}: reached exactly once", "broadcast_once", "", f"{people}",
             lambda v: v == people),
        pair(f"broadcast to {people}: messages/s, all classes, over its span", "all_rate", "/s",
             "≥ 26 /s", lambda v: v >= 26,
             "every message sent between the broadcast's first and last (the budget's use)"),
        pair(f"broadcast to {people}: its own messages/s over its span", "broadcast_own_rate",
             "/s", "—", lambda v: True,
             f"{ASKERS} answers and {reminded} reminders go first; 30/s is the physical limit"),
        pair("429 responses in the whole run", "n429", "", "≤ 5", lambda v: v <= 5),
    ]  # fmt: skip
