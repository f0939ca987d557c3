"""The harness of the tests on the real scheduler and the real clock (reminders seconds
away, the bot stopped over a due time and started again): a session that notes when each
message reached the 'server', and the app brought up and down as `python -m bot` would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App, create_app
from bot.settings import Settings, load_settings
from tests.support.recording import RecordingSession


class Timed(RecordingSession):
    """Records when each message reached the 'server'."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, str]] = []
        self.fail = self._stamp

    def _stamp(self, method: Any) -> None:
        if type(method).__name__ == "SendMessage":
            self.times.append((datetime.now(tz=UTC).timestamp(), str(method.text)))


def soon(
    folder: Path, forum_text: Callable[[datetime, datetime], str], **env: str
) -> tuple[datetime, datetime, Settings]:
    """Two moments 6 and 9 seconds from now, a forum file built on them in ``folder``, and
    the settings of a bot on it (``env`` adds its variables; fractional offsets allowed)."""
    t0 = (datetime.now(tz=UTC) + timedelta(seconds=1)).replace(microsecond=0)
    first, second = t0 + timedelta(seconds=5), t0 + timedelta(seconds=8)
    forum = folder / "forum.toml"
    forum.write_text(forum_text(first, second), encoding="utf-8")
    variables = {
        "BOT_TOKEN": "123456:TEST-token",
        "DATABASE_PATH": str(folder / "db.sqlite3"),
        "FORUM_FILE": str(forum),
        **env,
    }
    return first, second, load_settings(variables, allow_fractional_offsets=True)


async def sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(tz=UTC)).total_seconds()))


async def up(settings: Settings, session: RecordingSession) -> App:
    app = await create_app(settings, session=session)  # the real clock
    await app.start()
    return app


async def down(app: App) -> None:
    await app.stop()
    await app.close()
