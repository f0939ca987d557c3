"""Long answers are split at line boundaries under Telegram's 4,096 characters, the day's
buttons on the last part; long lists are cut to a readable size with a count of the rest
(issue 15, finding 15). Through the real dispatcher; the recording session refuses what
Telegram would refuse ("message is too long")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, create_app
from bot.settings import load_settings
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support.recording import RecordingSession
from tests.test_organisers_console import send_document

DELEGATE = 4321
CODE = "long-Qx7Wm2Kp9z"
FIRST_DAY = datetime(2023, 9, 14, 8, 0)  # noqa: DTZ001 - forum-local, as in the file
TITLE = "A very long title of a session on the cooperation of universities in the region, №"


def forum_text(days: int, per_day: int, *, bad: bool = False) -> str:
    head = (
        '[forum]\nname = "Forum"\ncity = "Dushanbe"\ntimezone = "Asia/Dushanbe"\n\n'
        '[[venue]]\nid = "hall"\nname = "The main hall of the Technological University"\n\n'
        f'[[delegate]]\nname = "Reader"\ncode = "{CODE}"\n\n'
    )
    events = []
    for day in range(days):
        for n in range(per_day):  # 5-minute slots from 08:00
            starts = FIRST_DAY + timedelta(days=day, minutes=n * 5)
            ends = "" if bad else f"ends = {(starts + timedelta(minutes=4)).isoformat()}\n"
            events.append(
                f'[[event]]\nid = "e{day}-{n}"\nkind = "other"\ntitle = "{TITLE}{day}-{n}"\n'
                f"starts = {starts.isoformat()}\n{ends}"
                'venue = "hall"\n'
            )
    return head + "\n".join(events)


@pytest.fixture
async def long_chat(
    tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Chat]:
    days, per_day = request.param
    forum = tmp_path / "forum.toml"
    forum.write_text(forum_text(days, per_day), encoding="utf-8")
    settings = load_settings(
        {
            "BOT_TOKEN": "123456:TEST-token",
            "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            "FORUM_FILE": str(forum),
            "ADMIN_IDS": str(ORGANISER_ID),
        }
    )
    clock.now = datetime(2023, 9, 14, 2, 0, tzinfo=UTC)
    app: App = await create_app(settings, session=RecordingSession(), clock=clock)
    try:
        chat = Chat(app, app.bot.session)  # type: ignore[arg-type]
        await chat.register(DELEGATE, CODE)
        chat.session.clear()
        yield chat
    finally:
        await app.stop()
        await app.close()


def _no_apology(chat: Chat) -> None:
    assert not any("Sorry" in c.text for c in chat.session.sent("SendMessage"))


@pytest.mark.parametrize("long_chat", [(2, 35)], indirect=True)
async def test_a_long_day_is_split_with_its_buttons_on_the_last_part(long_chat: Chat) -> None:
    calls = [c for c in await long_chat.send(DELEGATE, "/schedule") if c.name == "SendMessage"]
    _no_apology(long_chat)
    assert len(calls) >= 2
    assert all(len(c.text) <= 4096 for c in calls)
    shown = "\n".join(c.text for c in calls)
    assert all(f"{TITLE}0-{n}" in shown for n in range(35))
    assert [bool(c.buttons()) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert any(d == "d:20230915" for _, d in calls[-1].buttons())

    pressed = await long_chat.press(DELEGATE, "d:20230915")
    sent = [c for c in pressed if c.name == "SendMessage"]
    assert not [c for c in pressed if c.name == "EditMessageText"]  # too long to redraw
    assert len(sent) >= 2 and sent[-1].buttons() and not sent[0].buttons()
    assert f"{TITLE}1-34" in "\n".join(c.text for c in sent)


@pytest.mark.parametrize("long_chat", [(10, 50)], indirect=True)
async def test_my_agenda_of_500_events_is_a_few_messages(long_chat: Chat) -> None:
    calls = [c for c in await long_chat.send(DELEGATE, "/my") if c.name == "SendMessage"]
    _no_apology(long_chat)
    assert len(calls) <= 4  # three parts and the buttons, not 76 messages
    assert "more events: /schedule shows each day." in calls[-2].text
    assert len(calls[-1].buttons()) == 30
    assert calls[-1].buttons()[0][1] == "e:e0-0"  # the next events first


@pytest.mark.parametrize("long_chat", [(1, 1)], indirect=True)
async def test_a_file_with_thousands_of_problems_is_one_readable_answer(long_chat: Chat) -> None:
    text = forum_text(50, 100, bad=True).encode()  # 5,000 events without "ends"
    calls = await send_document(long_chat, ORGANISER_ID, text, "forum.toml")
    answers = [c for c in calls if c.name == "SendMessage"]
    _no_apology(long_chat)
    assert len(answers) == 1
    assert answers[0].text.count("• ") == 30
    assert "… and 4970 more problems. python -m bot import FILE lists them all." in answers[0].text


@pytest.mark.parametrize("long_chat", [(1, 1)], indirect=True)
async def test_the_summary_of_a_large_import_is_one_message(long_chat: Chat) -> None:
    text = forum_text(30, 100).encode()
    calls = await send_document(long_chat, ORGANISER_ID, text, "forum.toml")
    answers = [c for c in calls if c.name == "SendMessage"]
    _no_apology(long_chat)
    assert len(answers) == 1
    assert "2999 added" in answers[0].text or "3000 added" in answers[0].text
    assert "more" in answers[0].text
