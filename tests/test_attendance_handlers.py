"""Attendance through the real dispatcher: /checkin, Check in and RSVP buttons, the
organisers' roll-call, marks and CSV export, refusals and forged buttons, and a burst of
simultaneous check-ins."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta

from aiogram.methods import SendMessage

from bot.views import attendance as views
from bot.views.notices import reminder_keyboard
from db import attendance, audit, delegates
from schedule.model import Localized
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support import updates
from tests.support.recording import Call

SHERNAYEV = 101  # group tict
HEAD = 102  # no group: only whole-delegation events
STRANGER = 666
MOU_CHECK_IN = datetime(2023, 9, 14, 9, 40, tzinfo=UTC)  # 14:40: signing runs, visit opens


async def _delegate_id(chat: Chat, telegram_id: int) -> int:
    found = await delegates.by_telegram_id(chat.app.db, telegram_id)
    assert found is not None
    return found.id


async def _rows(chat: Chat, event_id: str | None = None) -> list[attendance.AttendanceRecord]:
    return await attendance.all_rows(chat.app.db, [event_id] if event_id else None)


def _alert(calls: list) -> str:
    answers = [c for c in calls if c.name == "AnswerCallbackQuery"]
    assert len(answers) == 1
    return answers[0].params.get("text", "")


async def test_checkin_into_the_one_open_event_and_a_second_time_kindly(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(SHERNAYEV, "/checkin")
    assert "You are checked in to Opening plenary session" in calls[-1].text
    assert "at 11:00" in calls[-1].text  # forum-local time
    rows = await _rows(chat)
    assert [(r.event_id, r.checked_in_at) for r in rows] == [
        ("opening-plenary", datetime(2023, 9, 14, 6, 0, tzinfo=UTC))
    ]
    chat.app.clock.advance(minutes=5)  # type: ignore[attr-defined]
    calls = await chat.send(SHERNAYEV, "/checkin")
    assert "already checked in" in calls[-1].text and "11:00" in calls[-1].text
    assert await _rows(chat) == rows


async def test_two_overlapping_events_ask_which(chat: Chat, clock: FakeClock) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    clock.now = MOU_CHECK_IN
    calls = await chat.send(SHERNAYEV, "/checkin")
    assert "Which one are you at?" in calls[-1].text
    assert [data for _, data in calls[-1].buttons()] == ["c:mou-tut", "c:tut-faculties"]
    assert await _rows(chat) == []
    calls = await chat.press(SHERNAYEV, "c:tut-faculties")
    assert "You are checked in to Acquaintance with the faculties" in calls[-1].text
    assert [r.event_id for r in await _rows(chat)] == ["tut-faculties"]


async def test_nothing_open_names_the_next_event(chat: Chat, clock: FakeClock) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    clock.now = datetime(2023, 9, 14, 8, 0, tzinfo=UTC)  # 13:00, between events
    calls = await chat.send(SHERNAYEV, "/checkin")
    assert "No event is open for check-in now." in calls[-1].text
    assert "Signing of a memorandum" in calls[-1].text
    assert "at 14:30; check-in opens at 14:00" in calls[-1].text
    calls = await chat.send(HEAD, "/checkin")
    assert "Closing" in calls[-1].text or "closing" in calls[-1].text
    assert "Signing" not in calls[-1].text
    assert await _rows(chat) == []


async def test_check_in_button_refusals_record_nothing(chat: Chat, clock: FakeClock) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    # Before the window: 11:00, the signing is at 14:30.
    text = _alert(await chat.press(SHERNAYEV, "c:mou-tut"))
    assert "opens at 14:00" in text and "Nothing was recorded" in text
    # Outside the audience.
    clock.now = MOU_CHECK_IN
    text = _alert(await chat.press(HEAD, "c:mou-tut"))
    assert "not in your programme" in text
    # After the end.
    text = _alert(await chat.press(SHERNAYEV, "c:opening-plenary"))
    assert "has ended" in text
    # A forged or stale id, and data that does not parse.
    text = _alert(await chat.press(SHERNAYEV, "c:no-such-event"))
    assert "no longer in the programme" in text
    text = _alert(await chat.press(SHERNAYEV, "c:mou-tut:extra"))
    assert "no longer valid" in text
    # A stranger pressing a copied button.
    text = _alert(await chat.press(STRANGER, "c:mou-tut"))
    assert "no longer valid" in text
    # An organiser who is not a delegate has nothing to check in to.
    text = _alert(await chat.press(ORGANISER_ID, "c:mou-tut"))
    assert "Only delegates" in text
    assert await _rows(chat) == []


async def test_rsvp_changeable_until_the_start(chat: Chat, clock: FakeClock) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    me = await _delegate_id(chat, SHERNAYEV)
    text = _alert(await chat.press(SHERNAYEV, "r:mou-tut:y"))
    assert "you will attend Signing of a memorandum" in text
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.rsvp == "yes" and record.rsvp_at == clock.now
    clock.advance(hours=1)
    text = _alert(await chat.press(SHERNAYEV, "r:mou-tut:n"))
    assert "you cannot attend" in text
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.rsvp == "no" and record.rsvp_at == clock.now
    clock.now = datetime(2023, 9, 14, 9, 30, tzinfo=UTC)  # the start
    text = _alert(await chat.press(SHERNAYEV, "r:mou-tut:y"))
    assert "already started" in text
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.rsvp == "no"


async def test_rsvp_refusals(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    assert "no longer valid" in _alert(await chat.press(SHERNAYEV, "r:mou-tut:maybe"))
    assert "not in your programme" in _alert(await chat.press(HEAD, "r:mou-tut:y"))
    assert "no longer in the programme" in _alert(await chat.press(SHERNAYEV, "r:nope:y"))
    assert "no longer valid" in _alert(await chat.press(STRANGER, "r:mou-tut:y"))
    assert await _rows(chat) == []


async def test_event_card_has_rsvp_and_check_in_buttons_while_open(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    data = [d for _, d in calls[-1].buttons()]
    assert "r:mou-tut:y" in data and "r:mou-tut:n" in data and "c:mou-tut" not in data
    calls = await chat.press(SHERNAYEV, "e:opening-plenary")  # under way: check in, no RSVP
    data = [d for _, d in calls[-1].buttons()]
    assert "c:opening-plenary" in data and not any(d.startswith("r:") for d in data if d)
    clock.now = MOU_CHECK_IN
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    data = [d for _, d in calls[-1].buttons()]
    assert "c:mou-tut" in data and not any(d.startswith("r:") for d in data if d)
    calls = await chat.press(SHERNAYEV, "c:mou-tut")  # the card's button checks in
    assert "You are checked in" in calls[-1].text


async def _roll_call_state(chat: Chat, clock: FakeClock) -> None:
    """Shernayev said yes and checked in; placeholder rector 1 said no."""
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.press(SHERNAYEV, "r:opening-plenary:y")  # too late at 11:00: refused
    await chat.press(SHERNAYEV, "r:mou-tut:y")
    clock.now = MOU_CHECK_IN
    await chat.press(SHERNAYEV, "c:mou-tut")


async def test_roll_call_for_organisers(chat: Chat, clock: FakeClock) -> None:
    await _roll_call_state(chat, clock)
    calls = await chat.send(ORGANISER_ID, "/attendance mou-tut")
    text = "\n".join(c.text for c in calls)
    assert "Roll-call: Signing of a memorandum" in text
    assert "Present: 1 · Expected: 0 · Declined: 0 · No answer: 0" in text
    assert "Anvar Normamatovich Shernayev — Vice-rector" in text and "14:40" in text
    mark_buttons = calls[-1].buttons()
    assert mark_buttons and mark_buttons[0][1].startswith("am:mou-tut:")
    # The whole delegation's event lists everyone, unregistered signatories too.
    calls = await chat.send(ORGANISER_ID, "/attendance opening-plenary")
    text = "\n".join(c.text for c in calls)
    assert "No answer (6)" in text and "Placeholder: Rector 1" in text


async def test_attendance_without_id_lists_todays_events(chat: Chat, clock: FakeClock) -> None:
    await _roll_call_state(chat, clock)
    calls = await chat.send(ORGANISER_ID, "/attendance")
    data = [d for _, d in calls[-1].buttons()]
    assert data == ["ra:opening-plenary:0", "ra:mou-tut:0", "ra:tut-faculties:0"]
    calls = await chat.press(ORGANISER_ID, "ra:mou-tut:0")
    assert any("Roll-call: Signing" in c.text for c in calls)
    calls = await chat.send(ORGANISER_ID, "/attendance nope")
    assert "There is no event with the id nope." in calls[-1].text


async def test_others_get_no_roll_call_or_export(chat: Chat, clock: FakeClock) -> None:
    await _roll_call_state(chat, clock)
    for command in ("/attendance mou-tut", "/attendance", "/export", "/export mou-tut"):
        calls = await chat.send(SHERNAYEV, command)
        assert len(calls) == 1 and "for the organisers only" in calls[0].text
        assert "Shernayev" not in calls[0].text
    me = await _delegate_id(chat, SHERNAYEV)
    for data in ("ra:mou-tut:0", "ra:mou-tut:2", f"am:mou-tut:{me}:0:1"):
        calls = await chat.press(SHERNAYEV, data)
        assert [c.name for c in calls] == ["AnswerCallbackQuery"]
        assert "organisers only" in _alert(calls)
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.present is None and record.is_present
    assert await audit.recent(chat.app.db) == []


async def test_organiser_marks_present_and_absent_with_log(chat: Chat, clock: FakeClock) -> None:
    await _roll_call_state(chat, clock)
    me = await _delegate_id(chat, SHERNAYEV)
    rector = await delegates.list_delegates(chat.app.db)
    rector_id = next(d.id for d in rector if d.name == "Placeholder: Rector 1")
    calls = await chat.press(ORGANISER_ID, f"am:opening-plenary:{rector_id}:1:1")
    assert "Placeholder: Rector 1 marked present." in _alert(calls)
    edit = [c for c in calls if c.name == "EditMessageText"]
    assert edit and "Present: 1" in edit[0].text
    record = await attendance.get(chat.app.db, "opening-plenary", rector_id)
    assert record is not None and record.present is True and record.marked_by == ORGANISER_ID
    calls = await chat.press(ORGANISER_ID, f"am:mou-tut:{me}:0:1")
    assert "marked absent" in _alert(calls)
    calls = await chat.send(ORGANISER_ID, "/attendance mou-tut")
    text = "\n".join(c.text for c in calls)
    assert "Present: 0 · Expected: 1" in text and "marked absent by organiser 900" in text
    log = await audit.recent(chat.app.db)
    assert [e.action for e in log] == ["mark", "mark"]
    assert "Shernayev" in log[0].detail and "absent" in log[0].detail
    assert log[0].organiser_id == ORGANISER_ID
    # Forged or stale marks: unknown event, unknown delegate, bad value, outside audience.
    head = await delegates.list_delegates(chat.app.db)
    head_id = next(d.id for d in head if d.name == "S. Buzrukkhanov")
    for data in (
        f"am:nope:{me}:1:1",
        "am:mou-tut:99999:1:1",
        f"am:mou-tut:{me}:7:1",
        f"am:mou-tut:{head_id}:1:1",
    ):
        calls = await chat.press(ORGANISER_ID, data)
        assert [c.name for c in calls] == ["AnswerCallbackQuery"], data
    assert await attendance.get(chat.app.db, "mou-tut", head_id) is None
    assert len(await audit.recent(chat.app.db)) == 2


def _csv_rows(call) -> list[dict[str, str]]:
    files = [v for k, v in call.params.items() if k.startswith("file:")]
    assert len(files) == 1
    data = files[0].data
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_export_csv(chat: Chat, clock: FakeClock) -> None:
    await _roll_call_state(chat, clock)
    calls = await chat.send(ORGANISER_ID, "/export")
    assert calls[-1].name == "SendDocument"
    rows = _csv_rows(calls[-1])
    # 8 events; the 2 whole-delegation ones list all 6 delegates, the 6 tict ones 1 member.
    assert len(rows) == 2 * 6 + 6 * 1
    mine = next(r for r in rows if r["event id"] == "mou-tut")
    assert mine["delegate"] == "Anvar Normamatovich Shernayev"
    assert mine["RSVP"] == "yes" and mine["checked in at"] == "2023-09-14T14:40+05:00"
    assert mine["start"] == "2023-09-14T14:30+05:00"
    assert mine["group"] == "Tashkent Institute of Chemical Technology"
    calls = await chat.send(ORGANISER_ID, "/export mou-tut")
    rows = _csv_rows(calls[-1])
    assert [r["event id"] for r in rows] == ["mou-tut"]
    assert calls[-1].params["document"].startswith("attach://")
    calls = await chat.send(ORGANISER_ID, "/export nope")
    assert calls[-1].name == "SendMessage" and "no event with the id nope" in calls[-1].text


async def test_hundreds_of_simultaneous_check_ins(chat: Chat, clock: FakeClock) -> None:
    db = chat.app.db
    count = 300
    for n in range(count):
        await delegates.create_invited(db, f"Delegate {n:03}", f"burst-{n}", group="tict")
        await delegates.register_with_code(db, f"burst-{n}", 10_000 + n, clock(), language="en")
    clock.now = MOU_CHECK_IN
    # Everyone presses at once, and everyone presses twice.
    presses = [chat.press(10_000 + n, "c:mou-tut") for n in range(count) for _ in range(2)]
    await asyncio.gather(*presses)
    rows = await _rows(chat, "mou-tut")
    assert len(rows) == count
    assert all(r.checked_in_at == MOU_CHECK_IN for r in rows)
    sent = chat.session.sent("SendMessage")
    new = [c for c in sent if "You are checked in" in c.text]
    again = [c for c in sent if "already checked in" in c.text]
    assert len(new) == count and len(again) == count
    assert {c.chat_id for c in new} == {10_000 + n for n in range(count)}
    # The roll-call of 300 fits Telegram's limit by splitting; marks come in pages.
    calls = await chat.send(ORGANISER_ID, "/attendance mou-tut")
    assert all(len(c.params["text"]) <= 4096 for c in calls)
    assert len(calls) > 2 and "Present: 300" in calls[0].text
    assert "Page 1 of 11" in calls[-1].text
    calls = await chat.press(ORGANISER_ID, "ra:mou-tut:11")
    names = [t for t, _ in calls[-1].buttons()]
    # 301 people (the file's tict member too) by name, 30 a page: the last page has one.
    assert names == ["✅ Delegate 299", "◀️"]


async def test_a_mark_that_changes_nothing_is_not_an_error(chat: Chat, clock: FakeClock) -> None:
    """Two organisers pressing the same mark: Telegram refuses the identical redraw."""
    from aiogram.exceptions import TelegramBadRequest

    await _roll_call_state(chat, clock)
    me = await _delegate_id(chat, SHERNAYEV)

    def not_modified(method: object) -> Exception | None:
        if type(method).__name__ == "EditMessageText":
            return TelegramBadRequest(method, "Bad Request: message is not modified")  # type: ignore[arg-type]
        return None

    chat.session.fail = not_modified
    calls = await chat.press(ORGANISER_ID, f"am:mou-tut:{me}:1:1")
    answers = [c for c in calls if c.name == "AnswerCallbackQuery"]
    assert len(answers) == 1 and "marked present" in answers[0].params["text"]
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.present is True


async def test_a_check_in_after_an_absent_mark_counts_again(chat: Chat, clock: FakeClock) -> None:
    """Checked in from the hotel, marked absent in the hall, then really there: the second
    press records them present instead of saying "already checked in"."""
    await _roll_call_state(chat, clock)  # checked in to mou-tut at 14:40
    me = await _delegate_id(chat, SHERNAYEV)
    await chat.press(ORGANISER_ID, f"am:mou-tut:{me}:0:1")
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and not record.is_present
    clock.advance(minutes=5)
    calls = await chat.press(SHERNAYEV, "c:mou-tut")
    assert "You are checked in to Signing" in calls[-1].text and "14:45" in calls[-1].text
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.is_present and record.checked_in_at == clock.now
    clock.advance(minutes=1)
    calls = await chat.press(SHERNAYEV, "c:mou-tut")
    assert "already checked in" in calls[-1].text and "14:45" in calls[-1].text
    calls = await chat.send(ORGANISER_ID, "/attendance mou-tut")
    assert "Present: 1" in calls[0].text


async def test_mark_log_names_the_organiser(chat: Chat, clock: FakeClock) -> None:
    await _roll_call_state(chat, clock)
    me = await _delegate_id(chat, SHERNAYEV)
    await chat.press(ORGANISER_ID, f"am:mou-tut:{me}:0:1", first_name="Dilshod <Org>")
    (entry,) = await audit.recent(chat.app.db)
    assert entry.organiser_id == ORGANISER_ID and entry.detail.endswith("by Dilshod <Org>")
    calls = await chat.send(ORGANISER_ID, "/log")
    assert "by Dilshod <Org>" in calls[-1].text  # escaped on the way, shown as written


async def test_a_mark_and_its_log_line_are_kept_or_lost_together(
    chat: Chat, clock: FakeClock
) -> None:
    await _roll_call_state(chat, clock)
    me = await _delegate_id(chat, SHERNAYEV)
    db = chat.app.db
    async with db.transaction() as conn:
        await conn.execute(
            "CREATE TRIGGER log_fails BEFORE INSERT ON organiser_log "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    calls = await chat.press(ORGANISER_ID, f"am:mou-tut:{me}:0:1")
    assert any("something went wrong" in c.text for c in calls)
    record = await attendance.get(db, "mou-tut", me)
    assert record is not None and record.present is None and record.is_present
    async with db.transaction() as conn:
        await conn.execute("DROP TRIGGER log_fails")
    await chat.press(ORGANISER_ID, f"am:mou-tut:{me}:0:1")
    record = await attendance.get(db, "mou-tut", me)
    assert record is not None and record.present is False
    assert len(await audit.recent(db)) == 1


def _labels(call) -> dict[str, str]:
    return {data: text for text, data in call.buttons() if data}


async def _press_on(chat: Chat, user_id: int, data: str, shown: Call) -> list[Call]:
    """Press a button of a message the bot sent (so the update carries its keyboard)."""
    update = updates.callback(user_id, data)
    query = update.callback_query
    assert query is not None and query.message is not None
    message = query.message.model_copy(update={"reply_markup": shown.method.reply_markup})
    query = query.model_copy(update={"message": message})
    return await chat._feed(update.model_copy(update={"callback_query": query}))


async def test_the_card_shows_the_delegates_answer_and_check_in(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    card = (await chat.press(SHERNAYEV, "e:mou-tut"))[-1]
    assert _labels(card)["r:mou-tut:y"] == "✅ I'll attend"
    assert _labels(card)["r:mou-tut:n"] == "✖️ Can't attend"
    assert "checked in" not in card.text
    # The answer is marked on the card that was pressed, and on every card after.
    calls = await _press_on(chat, SHERNAYEV, "r:mou-tut:n", card)
    (edit,) = [c for c in calls if c.name == "EditMessageReplyMarkup"]
    assert _labels(edit)["r:mou-tut:n"] == "✖️ Can't attend ✓"
    assert _labels(edit)["r:mou-tut:y"] == "✅ I'll attend"
    assert _labels(edit)["v:tut"] == _labels(card)["v:tut"]  # the other buttons are kept
    calls = await _press_on(chat, SHERNAYEV, "r:mou-tut:y", edit)
    (edit,) = [c for c in calls if c.name == "EditMessageReplyMarkup"]
    assert _labels(edit)["r:mou-tut:y"] == "✅ I'll attend ✓"
    assert _labels(edit)["r:mou-tut:n"] == "✖️ Can't attend"
    calls = await _press_on(chat, SHERNAYEV, "r:mou-tut:y", edit)  # the same again
    assert [c.name for c in calls] == ["AnswerCallbackQuery"]
    clock.now = MOU_CHECK_IN - timedelta(minutes=55)  # 13:45: the car to it has left
    upcoming = (await chat.send(SHERNAYEV, "/next"))[-1]
    assert _labels(upcoming)["r:mou-tut:y"] == "✅ I'll attend ✓"
    clock.now = MOU_CHECK_IN
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    assert "c:mou-tut" in _labels(calls[-1])
    await chat.press(SHERNAYEV, "c:mou-tut")
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    assert "You are checked in (14:40)." in calls[-1].text
    # Checked in: no button left to press.
    assert "c:mou-tut" not in _labels(calls[-1])


async def test_a_reminders_rsvp_buttons_show_the_answer(chat: Chat, clock: FakeClock) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    forum = await chat.app.programme.forum()
    mou = next(e for e in forum.events if e.id == "mou-tut")
    with chat.app.i18n.context(), chat.app.i18n.use_locale("en"):
        markup = reminder_keyboard(mou, forum, clock.now, first=True)
    shown = Call(SendMessage(chat_id=SHERNAYEV, text="⏰", reply_markup=markup), {})
    calls = await _press_on(chat, SHERNAYEV, "r:mou-tut:n", shown)
    (edit,) = [c for c in calls if c.name == "EditMessageReplyMarkup"]
    assert _labels(edit)["r:mou-tut:n"].endswith(" ✓")
    assert not _labels(edit)["r:mou-tut:y"].endswith(" ✓")


async def test_a_failed_redraw_of_the_rsvp_buttons_is_not_an_error(
    chat: Chat, clock: FakeClock
) -> None:
    from aiogram.exceptions import TelegramBadRequest

    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    card = (await chat.press(SHERNAYEV, "e:mou-tut"))[-1]

    def too_old(method: object) -> Exception | None:
        if type(method).__name__ == "EditMessageReplyMarkup":
            return TelegramBadRequest(method, "Bad Request: message can't be edited")  # type: ignore[arg-type]
        return None

    chat.session.fail = too_old
    calls = await _press_on(chat, SHERNAYEV, "r:mou-tut:y", card)
    assert [c.name for c in calls] == ["AnswerCallbackQuery", "EditMessageReplyMarkup"]
    assert "you will attend" in calls[0].params["text"]
    me = await _delegate_id(chat, SHERNAYEV)
    record = await attendance.get(chat.app.db, "mou-tut", me)
    assert record is not None and record.rsvp == "yes"


async def test_cards_offer_attendance_only_to_the_events_delegates(chat: Chat) -> None:
    """Organisers see every card, but answer only for their own events: no buttons that
    could only be refused."""
    await chat.register(HEAD, "head-Zq4vN8rT2m")  # no group
    for user, event in ((ORGANISER_ID, "mou-tut"), (ORGANISER_ID, "opening-plenary")):
        calls = await chat.press(user, f"e:{event}")
        data = [d for _, d in calls[-1].buttons()]
        assert calls[-1].name == "SendMessage" and data
        assert not any(d.startswith(("r:", "c:")) for d in data if d), (user, event)
    calls = await chat.send(ORGANISER_ID, "/next")
    assert not any(d.startswith(("r:", "c:")) for _, d in calls[-1].buttons() if d)
    calls = await chat.press(HEAD, "e:closing-plenary")
    assert "r:closing-plenary:y" in [d for _, d in calls[-1].buttons()]


LONG_TITLE = "Signing of an agreement " + "on very long and detailed matters, " * 8


async def test_alerts_and_toasts_fit_telegrams_200_characters(
    chat: Chat, clock: FakeClock
) -> None:
    """Telegram refuses a longer callback answer: the press would end in an error."""
    forum = await chat.app.programme.forum()
    mou = next(e for e in forum.events if e.id == "mou-tut")
    long = dataclasses.replace(mou, title=Localized.plain(LONG_TITLE))
    views_forum = dataclasses.replace(forum, events=(long,))
    i18n = chat.app.i18n
    texts = []
    for lang in ("en", "ru", "uz"):
        with i18n.context(), i18n.use_locale(lang):
            texts += [
                views.rsvp_toast(long, "yes"),
                views.rsvp_toast(long, "no"),
                views.rsvp_refusal_alert("closed", long),
                views.check_in_refusal_alert("closed", long, views_forum, clock.now),
                views.check_in_refusal_alert("closed", long, views_forum, long.ends),
                views.mark_toast("Name " * 60, present=True),
            ]
    for text in texts:
        assert len(text) <= 200 and "…" in text, text
    assert texts[0].startswith("Noted: you will attend Signing of an agreement on very")
    assert texts[3].endswith("opens at 14:00. Nothing was recorded.")
    # Through the dispatcher: a long name in the organiser's toast.
    await _roll_call_state(chat, clock)
    person = await delegates.create_invited(chat.app.db, "Rector " * 40, "long", group="tict")
    calls = await chat.press(ORGANISER_ID, f"am:mou-tut:{person.id}:1:1")
    toast = _alert(calls)
    assert len(toast) <= 200 and toast.endswith("… marked present.")


async def test_an_overlong_event_id_is_cut_in_the_reply(chat: Chat) -> None:
    calls = await chat.send(ORGANISER_ID, "/attendance " + "x" * 4090)
    assert len(calls) == 1 and "There is no event with the id xxx" in calls[0].text
    assert len(calls[0].params["text"]) < 200
