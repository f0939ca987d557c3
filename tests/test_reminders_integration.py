"""The real scheduler on the real clock: reminders seconds away, the bot stopped over one
due time and restarted after it; every reminder arrives exactly once, on time or late."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from db import deliveries
from tests.conftest import Chat
from tests.support.real_time import Timed, down, sleep_until, soon, up

TZ = ZoneInfo("Asia/Dushanbe")
USER = 501
OFFSET_S = 3.0  # REMINDER_OFFSETS=0.05 minutes


def forum_text(first: datetime, second: datetime) -> str:
    def local(moment: datetime) -> str:
        return moment.astimezone(TZ).replace(tzinfo=None).isoformat(timespec="seconds")

    events = ""
    for event_id, starts in (("first", first), ("second", second)):
        events += f"""
[[event]]
id = "{event_id}"
kind = "signing"
title = {{ en = "Signing {event_id}" }}
starts = {local(starts)}
ends = {local(starts + timedelta(minutes=30))}
"""
    return f"""
[forum]
name = "Test forum"
city = "Dushanbe"
timezone = "Asia/Dushanbe"

[[group]]
id = "g"
name = "Group"

[[delegate]]
name = "Tester"
code = "tst-Qz7Kp2Wm9"
group = "g"
{events}"""


async def test_reminders_exactly_once_across_restarts(tmp_path: Path) -> None:
    first, second, settings = soon(tmp_path, forum_text, REMINDER_OFFSETS="0.05")

    # Run 1: the bot registers the delegate, then stops before the first due time.
    s1 = Timed()
    app = await up(settings, s1)
    await Chat(app, s1).register(USER, "tst-Qz7Kp2Wm9")
    runs = {j.next_run_time for j in app.scheduler.get_jobs()}
    due = [first - timedelta(seconds=OFFSET_S), second - timedelta(seconds=OFFSET_S)]
    assert set(due) <= runs  # one job per due instant (and maybe a briefing's)
    await down(app)
    assert all(not text.startswith("⏰") for _, text in s1.times)

    # Run 2: starts after the first due time (it is sent late at once), and stays up over
    # the second, which the scheduler wakes within a second of its due time.
    await sleep_until(first - timedelta(seconds=OFFSET_S) + timedelta(seconds=0.5))
    s2 = Timed()
    app = await up(settings, s2)
    await sleep_until(second - timedelta(seconds=OFFSET_S) + timedelta(seconds=1.2))
    await down(app)
    reminders = [(at, text) for at, text in s2.times if text.startswith("⏰")]
    assert [text.split("\n")[0] for _, text in reminders] == [
        "⏰ <b>Signing first</b>",
        "⏰ <b>Signing second</b>",
    ]
    lateness = reminders[1][0] - due[1].timestamp()
    assert 0 <= lateness < 1.0

    # Run 3: nothing is sent again.
    s3 = Timed()
    app = await up(settings, s3)
    try:
        assert [t for _, t in s3.times if t.startswith("⏰")] == []
        rows = await deliveries.list_deliveries(app.db, kind="reminder")
        assert sorted((r.event_id, r.status) for r in rows) == [
            ("first", "sent"),
            ("second", "sent"),
        ]
    finally:
        await down(app)
