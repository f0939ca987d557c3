"""Departure reminders on the real scheduler and the real clock, seconds away: the bot is
stopped over one due time and restarted after it; each arrives exactly once, on time or
late, and never after a restart again (as tests/test_reminders_integration.py for events)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from db import deliveries
from schedule.departures import is_departure_key
from tests.conftest import Chat
from tests.support.real_time import Timed, down, sleep_until, soon, up

TZ = ZoneInfo("Asia/Dushanbe")
USER = 501
OFFSET_S = 3.0  # TRANSPORT_REMINDER_MINUTES=0.05


def local(moment: datetime) -> str:
    return moment.astimezone(TZ).replace(tzinfo=None).isoformat(timespec="seconds")


def forum_text(first: datetime, second: datetime) -> str:
    rides = ""
    for ride_id, departs in (("first", first), ("second", second)):
        rides += f"""
[[transport]]
id = "{ride_id}"
kind = "car"
departs = {local(departs)}
from = "hotel"
to = "hall"
meeting_point = "Lobby {ride_id}"
"""
    return f"""
[forum]
name = "Test forum"
city = "Dushanbe"
timezone = "Asia/Dushanbe"

[[venue]]
id = "hotel"
name = "Hotel"

[[venue]]
id = "hall"
name = "Hall"

[[delegate]]
name = "Tester"
code = "tst-Qz7Kp2Wm9"
{rides}"""


def reminders(session: Timed) -> list[tuple[float, str]]:
    return [(at, text) for at, text in session.times if text.startswith("⏰")]


async def test_departure_reminders_exactly_once_across_restarts(tmp_path: Path) -> None:
    first, second, settings = soon(tmp_path, forum_text, TRANSPORT_REMINDER_MINUTES="0.05")

    # Run 1: the delegate registers, the bot stops before the first due time.
    s1 = Timed()
    app = await up(settings, s1)
    await Chat(app, s1).register(USER, "tst-Qz7Kp2Wm9")
    runs = {j.next_run_time for j in app.scheduler.get_jobs()}
    due = [first - timedelta(seconds=OFFSET_S), second - timedelta(seconds=OFFSET_S)]
    assert set(due) <= runs  # one job per due instant
    await down(app)
    assert reminders(s1) == []

    # Run 2: starts after the first due time (sent late, at once, the car not gone yet),
    # and stays up over the second, which the scheduler wakes within a second of its time.
    await sleep_until(due[0] + timedelta(seconds=0.5))
    s2 = Timed()
    app = await up(settings, s2)
    await sleep_until(due[1] + timedelta(seconds=1.2))
    await down(app)
    sent = reminders(s2)
    assert len(sent) == 2
    for (_, text), departs in zip(sent, (first, second), strict=True):
        assert text.startswith(f"⏰ <b>Car leaves at {departs.astimezone(TZ):%H:%M}, in ")
    assert "Lobby first" in sent[0][1] and "Lobby second" in sent[1][1]
    assert "lt:first" in str(s2.calls)  # with the running-late button
    lateness = sent[1][0] - due[1].timestamp()
    assert 0 <= lateness < 1.0

    # Run 3: nothing is sent again.
    s3 = Timed()
    app = await up(settings, s3)
    try:
        assert reminders(s3) == []
        rows = await deliveries.list_deliveries(app.db, kind="reminder")
        assert sorted(
            (r.key.split("@")[0], r.status) for r in rows if is_departure_key(r.key)
        ) == [
            ("departure:first", "sent"),
            ("departure:second", "sent"),
        ]
    finally:
        await down(app)
