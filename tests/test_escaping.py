"""Titles, venues, speakers and names with <, >, & and quotes reach people intact.

The recording session rejects malformed HTML as Telegram does, so an unescaped value would
fail the send (and the error handler would apologise instead); ``Call.text`` is what the
person sees, so it must show the original characters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.views.callbacks import EventCb, VenueCb
from tests.conftest import ORGANISER_ID, Chat
from tests.support.recording import Call

TITLE = 'R&D <Lab> "Alpha" & Co\'s </b>'
VENUE = "Hall <B> & \"Main\" 'West'"
ADDRESS = "1 <Rudaki> & Sons St"
SPEAKER = 'Dr. <i>Smith</i> & "Jones"'
NAME = 'O\'Neil <Chief> & "Partner"'
GROUP = 'Institute <of> Chemistry & "Tech"'
BRING = "Copies <2> & pens"
DRESS = 'Business & "smart" <casual>'
DESCRIPTION = 'Agenda: a < b && c > d; "quoted" </i>'
USER = 501


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


FORUM = f"""
[forum]
name = {q('Forum <of> Rectors & "Friends"')}
city = {q("Dushanbe & <around>")}
timezone = "Asia/Dushanbe"

[[venue]]
id = "hall"
name = {q(VENUE)}
address = {q(ADDRESS)}
lat = 38.57
lon = 68.79

[[group]]
id = "grp"
name = {q(GROUP)}

[[delegate]]
name = {q(NAME)}
position = {q("Vice-rector <R&D>")}
group = "grp"
code = "esc-test-Q7kW2m"

[[event]]
id = "lab"
kind = "signing"
title = {{ en = {q(TITLE)}, ru = {q('Лаборатория <R&D> "Альфа"')} }}
starts = 2023-09-14T15:00:00
ends = 2023-09-14T16:00:00
venue = "hall"
audience = ["grp"]
speaker = {q(SPEAKER)}
description = {q(DESCRIPTION)}
dress = {q(DRESS)}
arrive_early = 10
bring = {q(BRING)}
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    forum = tmp_path / "forum.toml"
    forum.write_text(FORUM, encoding="utf-8")
    return {
        "BOT_TOKEN": "123456:TEST-token",
        "DATABASE_PATH": str(tmp_path / "forum.sqlite3"),
        "ADMIN_IDS": str(ORGANISER_ID),
        "FORUM_FILE": str(forum),
    }


def _delivered(calls: list[Call]) -> list[Call]:
    shown = {"SendMessage", "EditMessageText", "SendDocument", "SendVenue"}
    out = [c for c in calls if c.name in shown and c.chat_id == USER]
    assert out, "the bot sent nothing"
    for call in out:
        assert "something went wrong" not in call.text, call.text
    return out


def _text(calls: list[Call]) -> str:
    return "\n".join(c.text for c in _delivered(calls))


async def test_forum_file_with_markup_characters_is_read_as_written(chat: Chat) -> None:
    forum = await chat.app.programme.forum()
    assert forum.events[0].title.get("en") == TITLE
    assert forum.venue("hall") is not None and forum.venue("hall").name == VENUE  # type: ignore[union-attr]


async def test_greeting_shows_the_name_as_written(chat: Chat) -> None:
    text = _text(await chat.register(USER, "esc-test-Q7kW2m"))
    assert f"Welcome, {NAME}!" in text
    text = _text(await chat.send(USER, "/start"))
    assert f"Welcome, {NAME}!" in text


async def test_schedule_my_and_next(chat: Chat) -> None:
    await chat.register(USER, "esc-test-Q7kW2m")
    schedule = _text(await chat.send(USER, "/schedule"))
    assert TITLE in schedule and VENUE in schedule
    assert "Dushanbe & <around>" in schedule  # "Times are ... time."
    my = _text(await chat.send(USER, "/my"))
    assert TITLE in my and VENUE in my
    upcoming = _text(await chat.send(USER, "/next"))
    assert TITLE in upcoming and VENUE in upcoming and ADDRESS in upcoming
    assert DRESS in upcoming


async def test_event_card_and_venue_pin(chat: Chat) -> None:
    await chat.register(USER, "esc-test-Q7kW2m")
    card = _text(await chat.press(USER, EventCb(id="lab").pack()))
    for value in (TITLE, VENUE, ADDRESS, SPEAKER, DESCRIPTION, DRESS, BRING, GROUP):
        assert value in card, value
    pin = _delivered(await chat.press(USER, VenueCb(id="hall").pack()))[0]
    assert pin.name == "SendVenue"
    assert pin.params["title"] == VENUE and pin.params["address"] == ADDRESS


async def test_localized_title_with_markup_characters(chat: Chat) -> None:
    await chat.register(USER, "esc-test-Q7kW2m", language_code="ru")
    schedule = _text(await chat.send(USER, "/schedule", language_code="ru"))
    assert 'Лаборатория <R&D> "Альфа"' in schedule


async def test_calendar_file_carries_the_original_text(chat: Chat) -> None:
    await chat.register(USER, "esc-test-Q7kW2m")
    (document,) = [c for c in _delivered(await chat.send(USER, "/calendar"))]
    assert document.name == "SendDocument"
    upload = next(v for k, v in document.params.items() if k.startswith("file:"))
    (item,) = Calendar.from_ical(upload.data).walk("VEVENT")
    assert str(item["SUMMARY"]) == TITLE
    assert str(item["LOCATION"]) == f"{VENUE}, {ADDRESS}"
