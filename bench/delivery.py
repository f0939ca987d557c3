"""2. Delivery through a FakeBotApi answering in 50 ms and allowing 30 messages a second:
a reminder fan-out to 500 delegates (the notifier woken by its APScheduler job at the due
time) and a broadcast to 1,000 (the broadcast service), against the physical limit."""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row, Sizes, median, percentile
from bench.forum import TIMEZONE, TZ, code, register_all, telegram_id
from bot.app import App, create_app
from bot.delivery.broadcasts import BroadcastService, broadcast_and_wait
from bot.settings import load_settings
from db import deliveries
from db.broadcasts import Content
from db.delegates import list_delegates
from schedule.briefings import planned_briefings
from tests.support.fake_bot_api import FakeBotApi

NAME = "delivery"
LIMIT = 30.0  # messages a second, Telegram's overall limit and the fake server's
LATENCY = 0.05
OFFSET_MINUTES = 15
LEAD = 15.0  # seconds from writing the forum file to the reminder's due time


def forum_text(people: int, reminded: int, starts: datetime) -> str:
    """One signing whose audience (group "rem") is `reminded` of the `people` delegates."""
    local = starts.astimezone(TZ).replace(tzinfo=None, microsecond=0)
    lines = [
        f'[forum]\nname = "Delivery bench"\ncity = "Dushanbe"\ntimezone = "{TIMEZONE}"\n',
        '[[venue]]\nid = "hall"\nname = "Hall"\naddress = "Rudaki 1"\nlat = 38.5\nlon = 68.7\n',
        '[[group]]\nid = "rem"\nname = "Signatories"\n',
        '[[group]]\nid = "other"\nname = "Others"\n',
    ]
    for n in range(people):
        group = "rem" if n < reminded else "other"
        lines.append(
            f'[[delegate]]\nname = "Delegate {n}"\ncode = "{code(n)}"\ngroup = "{group}"\n'
        )
    lines.append(
        '[[event]]\nid = "signing"\nkind = "signing"\n'
        'title = { en = "Signing of the memorandum", ru = "Подписание", uz = "Imzolash" }\n'
        f"starts = {local.isoformat()}\nends = {(local + timedelta(hours=1)).isoformat()}\n"
        'venue = "hall"\naudience = ["rem"]\nremind = true\ndress = "Business formal"\n'
        "arrive_early = 10\n"
    )
    return "\n".join(lines)


def reminder_setup(
    folder: Path, api_url: str, name: str, people: int, reminded: int, *, lead: float
) -> tuple[dict[str, str], datetime]:
    """The forum file, written in ``folder``, whose signing's reminder falls due ``lead``
    seconds from now, and the environment of a bot serving it through the fake Bot API at
    ``api_url``: (that environment, the due time)."""
    starts = datetime.now(tz=UTC) + timedelta(minutes=OFFSET_MINUTES, seconds=lead)
    starts = starts.replace(microsecond=0)
    due = starts - timedelta(minutes=OFFSET_MINUTES)
    forum = folder / "forum.toml"
    forum.write_text(forum_text(people, reminded, starts), encoding="utf-8")
    env = {
        "BOT_TOKEN": f"123456:BENCH-{name}",
        "TELEGRAM_API_URL": api_url,
        "DATABASE_PATH": str(folder / "bot.sqlite3"),
        "FORUM_FILE": str(forum),
        "REMINDER_OFFSETS": str(OFFSET_MINUTES),
        "LOG_LEVEL": "WARNING",
    }
    return env, due


def _mono(moment: datetime) -> float:
    """A wall-clock instant on the monotonic clock the fake server records with."""
    return time.monotonic() + (moment - datetime.now(tz=UTC)).total_seconds()


async def _mark_briefings_done(app: App) -> None:
    """Today's morning briefing went out at 08:00: only the reminder is measured."""
    forum = await app.programme.forum()
    people = await list_delegates(app.db, registered_only=True)
    items = [
        deliveries.Item("briefing", b.key, b.delegate_id, b.due_at)
        for b in planned_briefings(forum.events, people, forum.timezone)
    ]
    await deliveries.skip(app.db, items, "sent this morning (benchmark set-up)", app.clock())


def _sent_to(api: FakeBotApi, chats: set[int], after: float) -> list[float]:
    return sorted(
        r.time
        for r in api.requests
        if r.method.lower() == "sendmessage" and r.chat_id in chats and r.time >= after
    )


async def run(sizes: Sizes) -> list[Row]:
    people, reminded = sizes.broadcast, sizes.fanout
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as name:
        folder = Path(name)
        async with FakeBotApi(latency=LATENCY, rate_limit=LIMIT) as api:
            # The signing's reminder falls due LEAD seconds from now: time enough to import
            # and register everyone first (moving the event later would be a programme
            # change, announced to its audience, and measured instead of the reminder).
            env, due = reminder_setup(folder, api.url, NAME, people, reminded, lead=LEAD)
            app = await create_app(load_settings(env))
            try:
                await register_all(app.db, people, datetime.now(tz=UTC))
                await _mark_briefings_done(app)
                await app.start()
                spare = (due - datetime.now(tz=UTC)).total_seconds()
                if spare < 0.5:
                    raise RuntimeError(f"set-up ran {-spare:.1f} s past the due time; raise LEAD")
                rows += await _reminders(api, app, reminded, due)
                rows += await _broadcast(api, app, people)
            finally:
                await app.stop()
                await app.close()
    return rows


async def _outcomes_recorded(app: App, count: int, timeout: float = 30.0) -> None:
    """Wait (bounded) until the notifier has recorded every reminder's outcome."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = await app.db.fetchone(
            "SELECT count(*) FROM delivery WHERE kind = 'reminder' AND status = 'sent'"
        )
        if row is not None and row[0] >= count:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"the notifier did not record {count} sent reminders in {timeout} s")


async def _reminders(api: FakeBotApi, app: App, reminded: int, due: datetime) -> list[Row]:
    chats = {telegram_id(n) for n in range(reminded)}
    due_mono = _mono(due)
    await api.wait_for(
        lambda r: r.method.lower() == "sendmessage" and r.chat_id in chats and r.status == 200,
        count=reminded,
        timeout=LEAD + reminded / 20 + 30,
    )
    await _outcomes_recorded(app, reminded)
    arrivals = _sent_to(api, chats, due_mono - 60)
    late = [t - due_mono for t in arrivals]
    first, last = late[0], late[-1]
    physical = reminded / LIMIT
    limit_last = reminded / 27
    n429 = sum(1 for r in api.requests if r.status == 429)
    return [
        Row(NAME, f"reminder to {reminded}: first message late by", first, "s",
            target="< 1 s", ok=first < 1),
        Row(NAME, f"reminder to {reminded}: last message late by", last, "s", physical,
            f"≤ {limit_last:.1f} s ({reminded}/27)", last <= limit_last),
        Row(NAME, f"reminder to {reminded}: lateness of all, p50", median(late), "s"),
        Row(NAME, f"reminder to {reminded}: lateness of all, p99", percentile(late, 99), "s"),
        Row(NAME, f"reminder to {reminded}: 429 responses", n429, target="0", ok=n429 == 0),
    ]  # fmt: skip


async def _broadcast(api: FakeBotApi, app: App, people: int) -> list[Row]:
    service: BroadcastService = app.services.broadcasts
    ids = [d.id for d in await list_delegates(app.db, registered_only=True)]
    chats = {telegram_id(n) for n in range(people)}
    before_429 = sum(1 for r in api.requests if r.status == 429)
    began = time.monotonic()
    _, counts = await broadcast_and_wait(
        service,
        organiser_id=900,
        content=Content("text", "<b>Change of venue</b>: the dinner is at Hall 2, 19:00."),
        delegate_ids=ids,
    )
    total = time.monotonic() - began
    arrivals = _sent_to(api, chats, began)
    ok_arrivals = [
        r.time for r in api.requests
        if r.method.lower() == "sendmessage" and r.chat_id in chats and r.time >= began
        and r.status == 200
    ]  # fmt: skip
    n429 = sum(1 for r in api.requests if r.status == 429) - before_429
    rate = (len(ok_arrivals) - 1) / (max(ok_arrivals) - min(ok_arrivals))
    assert counts.sent == people, f"broadcast delivered {counts.sent} of {people}"
    del arrivals
    return [
        Row(NAME, f"broadcast to {people}: sustained msgs/s", rate, "/s", LIMIT, "≥ 27 /s",
            rate >= 27),
        Row(NAME, f"broadcast to {people}: total time", total, "s", people / LIMIT,
            note="baseline: the physical limit"),
        Row(NAME, f"broadcast to {people}: 429 responses", n429, target="≤ 5", ok=n429 <= 5),
    ]  # fmt: skip
