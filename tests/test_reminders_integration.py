"""The real scheduler on the real clock: reminders seconds away, the bot stopped over one
due time and restarted after it; every reminder arrives exactly once, on time or late."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App, create_app
from bot.settings import load_settings
from db import deliveries
from tests.conftest import Chat
from tests.support.recording import RecordingSession

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


class Timed(RecordingSession):
    """Records when each message reached the 'server'."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, str]] = []
        self.fail = self._stamp

    def _stamp(self, method: Any) -> None:
        if type(method).__name__ == "SendMessage":
            self.times.append((datetime.now(tz=UTC).timestamp(), str(method.text)))


async def sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(tz=UTC)).total_seconds()))


async def test_reminders_exactly_once_across_restarts(tmp_path: Path) -> None:
    t0 = (datetime.now(tz=UTC) + timedelta(seconds=1)).replace(microsecond=0)
    first, second = t0 + timedelta(seconds=5), t0 + timedelta(seconds=8)
    forum = tmp_path / "forum.toml"
    forum.write_text(forum_text(first, second), encoding="utf-8")
    settings = load_settings(
        {
            "BOT_TOKEN": "123456:TEST-token",
            "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            "FORUM_FILE": str(forum),
            "REMINDER_OFFSETS": "0.05",
        },
        allow_fractional_offsets=True,
    )

    async def up(session: RecordingSession) -> App:
        app = await create_app(settings, session=session)  # the real clock
        await app.start()
        return app

    async def down(app: App) -> None:
        await app.stop()
        await app.close()

    # Run 1: the bot registers the delegate, then stops before the first due time.
    s1 = Timed()
    app = await up(s1)
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
    app = await up(s2)
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
    app = await up(s3)
    try:
        assert [t for _, t in s3.times if t.startswith("⏰")] == []
        rows = await deliveries.list_deliveries(app.db, kind="reminder")
        assert sorted((r.event_id, r.status) for r in rows) == [
            ("first", "sent"),
            ("second", "sent"),
        ]
    finally:
        await down(app)
