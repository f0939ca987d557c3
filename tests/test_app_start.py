"""The start checks the Bot API before serving; decorations are best effort."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetMe, SetMyCommands, TelegramMethod
from aiogram.types import User

from bot.app import App, StartupError, create_app
from tests.support.recording import RecordingSession


def _session(app: App) -> RecordingSession:
    assert isinstance(app.bot.session, RecordingSession)
    return app.bot.session


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (lambda m: TelegramUnauthorizedError(m, "Unauthorized"), "refused BOT_TOKEN"),
        (lambda m: TelegramNetworkError(m, "Connection refused"), "could not reach the Bot API"),
        (lambda m: TelegramServerError(m, "Bad Gateway"), "answered getMe wrongly"),
        (lambda m: ClientDecodeError("not JSON", ValueError("x"), "<html>"), "answered getMe"),
    ],
)
async def test_a_bad_get_me_stops_the_start_with_a_clear_reason(
    app: App, error: object, says: str
) -> None:
    def fail(method: TelegramMethod[object]) -> Exception | None:
        return error(method) if isinstance(method, GetMe) else None  # type: ignore[operator]

    _session(app).fail = fail
    with pytest.raises(StartupError, match=says):
        await app.start()
    assert not app.scheduler.running


async def test_get_me_answering_a_user_that_is_not_a_bot_stops_the_start(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def not_a_bot() -> User:
        return User(id=1, is_bot=False, first_name="Someone")

    monkeypatch.setattr(app.bot, "get_me", not_a_bot)
    with pytest.raises(StartupError, match="not a bot"):
        await app.start()


async def test_failing_command_menu_does_not_stop_the_start(app: App) -> None:
    def fail(method: TelegramMethod[object]) -> Exception | None:
        return TelegramServerError(method, "boom") if isinstance(method, SetMyCommands) else None

    _session(app).fail = fail
    await app.start()
    assert app.scheduler.running


async def test_one_app_per_database_and_the_lock_goes_with_close(app: App) -> None:
    with pytest.raises(StartupError, match=r"another bot process .* is running on DATABASE_PATH"):
        await create_app(app.settings, session=RecordingSession())
    await app.stop()
    await app.close()
    again = await create_app(app.settings, session=RecordingSession())
    await again.close()
