"""The delegate's side through the real dispatcher: registration, programme, cards, language."""

from __future__ import annotations

import dataclasses

from db import delegates
from db.forum import import_forum
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from tests.conftest import ORGANISER_ID, Chat, FakeClock

SHERNAYEV = 101
HEAD = 102
STRANGER = 666


async def test_stranger_gets_no_programme(chat: Chat, clock: FakeClock) -> None:
    for text in ("/start", "/schedule", "/next", "/my", "/calendar", "hello", "/whatever"):
        clock.advance(seconds=15)  # strangers are answered once per 15 seconds
        calls = await chat.send(STRANGER, text)
        assert len(calls) == 1
        assert "invitation" in calls[0].text
        assert "Memorandum" not in calls[0].text and "Plenary" not in calls[0].text


async def test_register_with_personal_code_greets_by_name(chat: Chat) -> None:
    calls = await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    assert "Welcome, Anvar Normamatovich Shernayev!" in calls[-1].text
    assert "/schedule" in calls[-1].text
    stored = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert stored is not None and stored.group == "tict"


async def test_wrong_code_refused_without_saying_whether_it_exists(chat: Chat) -> None:
    calls = await chat.register(STRANGER, "no-such-code")
    assert "not valid" in calls[-1].text
    assert await delegates.by_telegram_id(chat.app.db, STRANGER) is None


async def test_repeated_wrong_codes_are_slowed_down(chat: Chat, clock: FakeClock) -> None:
    for _ in range(3):
        await chat.register(STRANGER, "guess")
    calls = await chat.register(STRANGER, "tict-Hq7mX2vL9p")
    assert "Too many wrong codes" in calls[-1].text
    assert await delegates.by_telegram_id(chat.app.db, STRANGER) is None
    clock.advance(minutes=2)
    calls = await chat.register(STRANGER, "tict-Hq7mX2vL9p")
    assert "Welcome" in calls[-1].text


async def test_code_used_from_second_account_is_refused_and_organisers_told(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.register(STRANGER, "tict-Hq7mX2vL9p")
    refusal = [c for c in calls if c.chat_id == STRANGER]
    alert = [c for c in calls if c.chat_id == ORGANISER_ID]
    assert "already been used" in refusal[0].text
    assert alert and "Anvar Normamatovich Shernayev" in alert[0].text
    assert await delegates.by_telegram_id(chat.app.db, STRANGER) is None


async def test_shared_code_joins_under_telegram_name_with_no_group(chat: Chat) -> None:
    await chat.register(STRANGER, "dushanbe2023", first_name="Dilnoza")
    stored = await delegates.by_telegram_id(chat.app.db, STRANGER)
    assert stored is not None and stored.name == "Dilnoza" and stored.group is None
    assert stored.source == "shared"


async def test_schedule_shows_today_for_the_group(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(SHERNAYEV, "/schedule")
    text = calls[-1].text
    assert "14 September" in text
    assert "Opening plenary" in text or "plenary" in text.lower()
    assert "Technological University of Tajikistan" in text
    buttons = calls[-1].buttons()
    assert any(data and data.startswith("e:") for _, data in buttons)
    assert any(data == "d:20230915" for _, data in buttons)


async def test_no_group_sees_only_whole_delegation_events(chat: Chat) -> None:
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    calls = await chat.send(HEAD, "/my")
    text = "\n".join(c.text for c in calls)
    assert "plenary" in text.lower()
    assert "Memorandum" not in text


async def test_event_card_and_venue_pin(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    card = [c for c in calls if c.name == "SendMessage"][-1]
    assert "Signing ceremony" in card.text
    assert "Be seated by" in card.text
    pin = [data for _, data in card.buttons() if data and data.startswith("v:")]
    assert pin
    calls = await chat.press(SHERNAYEV, pin[0])
    assert any(c.name == "SendVenue" for c in calls)


async def test_card_of_event_outside_audience_is_refused(chat: Chat) -> None:
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    calls = await chat.press(HEAD, "e:mou-tut")
    assert [c.name for c in calls] == ["AnswerCallbackQuery"]
    assert calls[0].params.get("show_alert") is True


async def test_forged_button_is_answered_and_ignored(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    for data in ("e:does-not-exist", "d:notadate", "zz:1", "v:nowhere"):
        calls = await chat.press(SHERNAYEV, data)
        assert [c.name for c in calls] == ["AnswerCallbackQuery"]


async def test_next_says_how_long(chat: Chat, clock: FakeClock) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(SHERNAYEV, "/next")
    # At 11:00 the next thing for him is the car to the 14:30 signing (13:40, tbc).
    assert "Leaves in 2 hours 40 minutes" in calls[-1].text
    clock.advance(hours=2, minutes=50)  # 13:50: the car has left
    calls = await chat.send(SHERNAYEV, "/next")
    assert "Starts in 40 minutes" in calls[-1].text


async def test_calendar_is_an_ics_document(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(SHERNAYEV, "/calendar")
    doc = calls[-1]
    assert doc.name == "SendDocument"
    files = [v for k, v in doc.params.items() if k.startswith("file:")]
    assert files


async def test_language_switch_translates_replies(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.press(SHERNAYEV, "l:ru")
    stored = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert stored is not None and stored.language == "ru"
    assert calls


async def test_organiser_sees_everything(chat: Chat) -> None:
    calls = await chat.send(ORGANISER_ID, "/my")
    text = "\n".join(c.text for c in calls)
    assert "memorandum" in text.lower() and "plenary" in text.lower()


async def test_organiser_commands_refused_to_delegates(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    for command in ("/broadcast", "/move mou-tut 15:00", "/cancel mou-tut", "/stats", "/export"):
        calls = await chat.send(SHERNAYEV, command)
        assert calls[-1].text == "This command is for the organisers only."
        calls = await chat.send(STRANGER, command)
        assert "invitation" in calls[-1].text


async def test_nothing_is_said_in_group_chats(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    for text in ("/schedule", "/start tict-Hq7mX2vL9p", "/my", "hello"):
        calls = await chat.send(SHERNAYEV, text, chat_id=-100123, chat_type="supergroup")
        assert calls == []
    calls = await chat.send(SHERNAYEV, "/schedule")
    assert calls and calls[-1].chat_id == SHERNAYEV


async def test_a_removed_delegate_rejoining_with_the_shared_code_loses_their_group(
    chat: Chat, clock: FakeClock
) -> None:
    """Taken out of the forum file, a delegate who knows the shared code may join as anyone
    of the delegation, not as their old entry with its group (issue 15, finding 2)."""
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    without = dataclasses.replace(
        forum,
        delegates=tuple(d for d in forum.delegates if d.code != "tict-Hq7mX2vL9p"),
        agreements=(),  # they name him as a signatory
    )
    await import_forum(chat.app.db, without, source_hash="edited", now=clock())
    chat.app.programme.invalidate()
    assert await delegates.by_telegram_id(chat.app.db, SHERNAYEV) is None

    calls = await chat.register(SHERNAYEV, "dushanbe2023", first_name="Anvar")
    assert "Welcome, Anvar!" in calls[-1].text
    stored = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert stored is not None and stored.source == "shared" and stored.group is None
    calls = await chat.send(SHERNAYEV, "/my")
    assert "Memorandum" not in "\n".join(c.text for c in calls)  # a TICT-only signing


async def test_a_forged_venue_pin_is_only_sent_for_venues_of_ones_own_events(chat: Chat) -> None:
    """'tut' hosts TICT's events only: the head of delegation (no group) cannot fetch its
    pin by forging v:tut; a TICT delegate and the organisers can (finding 16)."""
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    forged = await chat.press(HEAD, "v:tut")
    assert [c.name for c in forged] == ["AnswerCallbackQuery"]
    assert forged[0].params.get("show_alert") is True
    assert [c.name for c in await chat.press(HEAD, "v:forum-hall")][-1] == "SendVenue"
    assert [c.name for c in await chat.press(SHERNAYEV, "v:tut")][-1] == "SendVenue"
    assert [c.name for c in await chat.press(ORGANISER_ID, "v:ips")][-1] == "SendVenue"
