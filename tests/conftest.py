"""Shared fixtures: an explicit clock, a migrated database, the sample forum, settings on a
temporary database, the real app assembled with a recording session, and a chat helper
that feeds real updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, create_app
from bot.delivery.budget import Budget
from bot.settings import Settings, load_settings
from db.connection import Database, open_db
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import Forum
from tests.support import updates
from tests.support.recording import Call, RecordingSession

ORGANISER_ID = 900
# 11:00 in Dushanbe (UTC+5) on the first forum day of the sample.
FORUM_MORNING = datetime(2023, 9, 14, 6, 0, tzinfo=UTC)


class FakeClock:
    """An explicit clock: tests move time, they never sleep for it."""

    def __init__(self, now: datetime = FORUM_MORNING) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database of its own (the repository tests)."""
    database = await open_db(tmp_path / "db.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def sample() -> Forum:
    """The bundled sample forum file, parsed."""
    return load_forum_file(SAMPLE_FORUM_PATH)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "BOT_TOKEN": "123456:TEST-token",
        "DATABASE_PATH": str(tmp_path / "forum.sqlite3"),
        "ADMIN_IDS": str(ORGANISER_ID),
        "DELEGATION_CODE": "dushanbe2023",
        "FORUM_FILE": str(SAMPLE_FORUM_PATH),
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@dataclass
class Chat:
    """Talks to the real dispatcher as Telegram users would."""

    app: App
    session: RecordingSession

    async def send(self, user_id: int, text: str, **kw: object) -> list[Call]:
        return await self._feed(updates.message(user_id, text, **kw))  # type: ignore[arg-type]

    async def press(self, user_id: int, data: str, **kw: object) -> list[Call]:
        return await self._feed(updates.callback(user_id, data, **kw))  # type: ignore[arg-type]

    async def _feed(self, update: object) -> list[Call]:
        before = len(self.session.calls)
        await self.app.dispatcher.feed_update(self.app.bot, update)  # type: ignore[arg-type]
        return self.session.calls[before:]

    async def register(self, user_id: int, code: str, **kw: object) -> list[Call]:
        return await self.send(user_id, f"/start {code}", **kw)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    # Telegram's limits would space a chat's answers a second apart in real time: handler
    # tests are about what is said, and the budget has tests of its own (test_budget.py,
    # test_outbound.py, test_sender.py, the end-to-end tests).
    application = await create_app(
        settings, session=RecordingSession(), clock=clock, budget=Budget.unlimited()
    )
    try:
        yield application
    finally:
        await application.stop()
        await application.close()


@pytest.fixture
def chat(app: App) -> Chat:
    assert isinstance(app.bot.session, RecordingSession)
    return Chat(app, app.bot.session)
