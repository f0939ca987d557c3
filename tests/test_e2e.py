"""End to end: ``python -m bot`` as a real process against a Bot API server on 127.0.0.1.

Nothing is shared with the process but the environment and HTTP: the test starts the fake
Bot API server, the bot long-polls it, the test pushes updates and reads what the bot sent.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.support.fake_bot_api import FakeBotApi, Recorded
from tests.support.process import bot_env
from tests.support.telegram_html import visible_text

TOKEN = "123456:E2E-test-token"
ORGANISER = 900
DELEGATE = 4242
# Starting Python and importing aiogram can take seconds on a busy CI machine.
START_TIMEOUT = 90.0
ANSWER_TIMEOUT = 20.0


def _env(api: FakeBotApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    values = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_PATH": str(tmp_path / "forum.sqlite3"),
        "ADMIN_IDS": str(ORGANISER),
        "LOG_LEVEL": "INFO",
        "FORUM_FILE": str(SAMPLE_FORUM_PATH),
    }
    return bot_env(**(values | extra))


@asynccontextmanager
async def bot_process(
    api: FakeBotApi, tmp_path: Path, *args: str, **extra_env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot [args]`` against ``api``; killed on the way out whatever happened."""
    env = _env(api, tmp_path, **extra_env)
    with (tmp_path / "bot.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


def _log(tmp_path: Path) -> str:
    return (tmp_path / "bot.log").read_text(encoding="utf-8", errors="replace")


def _is(method: str, chat_id: int | None = None) -> object:
    def predicate(r: Recorded) -> bool:
        return r.method.lower() == method.lower() and (chat_id is None or r.chat_id == chat_id)

    return predicate


async def _answers(api: FakeBotApi, chat_id: int, count: int) -> list[str]:
    found = await api.wait_for(
        _is("sendMessage", chat_id),  # type: ignore[arg-type]
        count=count,
        timeout=ANSWER_TIMEOUT,
    )
    return [visible_text(str(r.params["text"])) for r in found]


async def test_register_read_schedule_and_stop_on_sigterm(tmp_path: Path) -> None:
    async with FakeBotApi() as api, bot_process(api, tmp_path) as process:
        await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
        assert api.calls("getMe"), "the bot checks its token before serving"
        assert api.calls("setMyCommands"), "the command menu is set at start"

        api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
        (greeting,) = await _answers(api, DELEGATE, 1)
        assert "Welcome, Anvar Normamatovich Shernayev!" in greeting
        assert "/schedule" in greeting

        api.push_message(DELEGATE, "/schedule", first_name="Anvar")
        programme = (await _answers(api, DELEGATE, 2))[1]
        # The sample forum is in 2023: the nearest forum day is its last one, and it says so.
        assert "Friday, 15 September" in programme
        assert "nearest forum day" in programme
        assert "Plenary session and closing of the Forum" in programme
        assert "12:30–13:30" in programme  # the lecture, in Dushanbe time
        schedule_call = api.sent("sendMessage", DELEGATE)[1]
        buttons = schedule_call.params["reply_markup"]["inline_keyboard"]
        assert any("Thu 14 Sep" in b["text"] for row in buttons for b in row)

        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=15)
        assert code == 0, _log(tmp_path)
    log = _log(tmp_path)
    assert "Traceback" not in log, log


async def test_wrong_token_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    async with (
        FakeBotApi(valid_token="999:another-bot") as api,
        bot_process(api, tmp_path) as process,
    ):
        code = await asyncio.wait_for(process.wait(), timeout=START_TIMEOUT)
        assert code != 0
        assert api.calls("getMe") and api.calls("getMe")[0].status == 401
        assert not api.calls("getUpdates"), "it must not serve with a refused token"
    log = _log(tmp_path)
    assert "BOT_TOKEN" in log and "Unauthorized" in log
    assert "Traceback" not in log, log


async def test_failing_command_menu_does_not_stop_the_bot(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        api.fail("setMyCommands", *([500] * 20))
        async with bot_process(api, tmp_path) as process:
            await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
            assert any(r.status == 500 for r in api.calls("setMyCommands"))
            api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
            (greeting,) = await _answers(api, DELEGATE, 1)
            assert "Welcome, Anvar Normamatovich Shernayev!" in greeting
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=15) == 0
    log = _log(tmp_path)
    assert "could not set the command menu" in log
    assert "Traceback" not in log, log


async def test_a_second_process_on_the_same_database_refuses_to_start(tmp_path: Path) -> None:
    """Two processes would fight over getUpdates (409) and lose each other's broadcast
    drafts: the second says another is running and stops; the first serves on."""
    async with FakeBotApi() as api, bot_process(api, tmp_path) as first:
        await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
        second_log = tmp_path / "second.log"
        asked = len(api.calls("getMe"))
        with second_log.open("wb") as out:
            second = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp_path, env=_env(api, tmp_path),
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            code = await asyncio.wait_for(second.wait(), timeout=START_TIMEOUT)
        said = second_log.read_text(encoding="utf-8")
        assert code == 1, said
        assert f"another bot process (pid {first.pid}) is running" in said
        assert str(tmp_path / "forum.sqlite3") in said
        assert "Traceback" not in said
        assert len(api.calls("getMe")) == asked, "the second stopped before calling Telegram"

        api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
        (greeting,) = await _answers(api, DELEGATE, 1)
        assert "Welcome" in greeting
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), timeout=15) == 0


async def test_a_broken_forum_file_at_restart_keeps_the_programme_served(tmp_path: Path) -> None:
    """A year typed 9999 or a file nested a thousand levels deep made every start exit 1
    (a supervisor restart loop); now it is named in the log and the stored programme is
    served (issue 15, finding 12)."""
    forum = tmp_path / "forum.toml"
    forum.write_text(SAMPLE_FORUM_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    async with FakeBotApi() as api:
        async with bot_process(api, tmp_path, FORUM_FILE=str(forum)) as process:
            await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=15) == 0
        text = forum.read_text(encoding="utf-8")
        # 0001-01-01 00:00 in Dushanbe is before datetime's first instant in UTC.
        broken = text.replace("starts = 2023-09-14T10:00:00", "starts = 0001-01-01T00:00:00", 1)
        forum.write_text(broken, encoding="utf-8")
        async with bot_process(api, tmp_path, FORUM_FILE=str(forum)) as process:
            api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
            (greeting,) = await _answers(api, DELEGATE, 1)
            assert "Welcome, Anvar Normamatovich Shernayev!" in greeting
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=15) == 0
    log = _log(tmp_path)
    assert "FORUM_FILE was not imported; serving the stored programme" in log
    assert 'field "starts": year 1 is out of range (2000-2100)' in log
    assert "Traceback" not in log, log


async def test_no_log_line_carries_an_invitation_code_or_the_token_even_at_debug(
    tmp_path: Path,
) -> None:
    """At DEBUG the log carried the invitation codes (finding 16), and the bot token can
    reach it in URLs (finding 17). Neither appears in any line, whatever the level."""
    async with FakeBotApi() as api, bot_process(api, tmp_path, LOG_LEVEL="DEBUG") as process:
        await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
        api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
        api.push_message(DELEGATE + 1, "/start head-WRONG-guess-Zq4", first_name="Guess")
        await _answers(api, DELEGATE, 1)
        await _answers(api, DELEGATE + 1, 1)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=15) == 0
    log = _log(tmp_path)
    assert "DEBUG" in log  # the level took effect
    for secret in ("tict-Hq7mX2vL9p", "head-WRONG-guess-Zq4", TOKEN, TOKEN.split(":")[1]):
        assert secret not in log, [line for line in log.splitlines() if secret in line][:3]
