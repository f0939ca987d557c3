"""The delegation's logistics through the real dispatcher and the real app: /transport,
/contacts as contact cards, the departure reminder and "I'm running late" once, the pinned
day edited on a change, /move and /cancel of a departure, the calendar, QR invitations,
and what strangers and forged buttons get.

The clock starts on 14 Sep 2023 at 11:00 in Dushanbe (06:00 UTC). The car "car-14-tut"
takes the group "tict" from the forum hall to the TUT signing at 13:40 (08:40 UTC).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import zxingcpp
from icalendar import Calendar
from PIL import Image

from bot.delivery.notifier import Notifier
from db import delegates, deliveries
from db.pins import pin_of
from schedule.departures import is_departure_key
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support.recording import Call

SHERNAYEV = 101  # group tict
HEAD = 102  # no group; has his own car at 12:45
PROTOCOL = 103  # the delegation's protocol officer
STRANGER = 666
CAR_AT = datetime(2023, 9, 14, 8, 40, tzinfo=UTC)  # 13:40 local
MOU = "Signing of a memorandum of understanding with the Technological University"


def notifier(chat: Chat) -> Notifier:
    return chat.app.services.notifier  # type: ignore[no-any-return]


async def started(chat: Chat) -> Chat:
    await chat.app.start()
    await notifier(chat).idle()
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    await chat.register(PROTOCOL, "pr-Wd3kF9gVs2")
    chat.session.clear()
    return chat


def texts(calls: list[Call], chat_id: int | None = None) -> list[str]:
    return [c.text for c in calls if c.name == "SendMessage" and chat_id in (None, c.chat_id)]


# ---------------------------------------------------------------- /transport and /contacts


async def test_transport_shows_the_riders_next_departures_with_map_pins(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    (answer,) = await chat.send(SHERNAYEV, "/transport")
    text = answer.text
    assert "Car  13:40 → 14:00" in text
    assert "From: Forum plenary hall" in text
    assert "Meeting point: Forum hall, west exit, car park" in text
    assert "To: Technological University of Tajikistan" in text
    assert "Black sedan, plate to be confirmed" in text and "+992 90 000 00 08" in text
    assert "Friday, 15 September" in text  # then tomorrow
    assert "09:00" not in text.split("Friday")[0]  # the morning bus has left
    assert "VIP exit" not in text  # the head of delegation's own car
    assert ("📍 13:40 Forum plenary hall", "v:forum-hall") in answer.buttons()
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    (head,) = await chat.send(HEAD, "/transport")
    today = head.text.split("Friday")[0]
    assert "VIP exit" in today and "Technological University" not in today


async def test_contacts_are_contact_cards_and_a_link_for_a_username(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(SHERNAYEV, "/contacts")
    listing, *cards = calls
    assert listing.name == "SendMessage" and "Whom to call" in listing.text
    assert "Protocol officer: Placeholder: Protocol officer of the delegation" in listing.text
    assert ("✉️ Write to @placeholder_interpreter", "https://t.me/placeholder_interpreter") in (
        listing.buttons()
    )
    assert [c.name for c in cards] == ["SendContact"] * 6
    first = cards[0].params
    assert first["phone_number"] == "+998 90 000 00 01"
    assert first["first_name"] == "Placeholder: Protocol officer of the delegation"
    assert first["last_name"] == "Protocol officer"


async def test_strangers_get_no_departure_phone_or_meeting_point(chat: Chat) -> None:
    for text in ("/transport", "/contacts"):
        calls = await chat.send(STRANGER, text)
        assert [c.name for c in calls] == ["SendMessage"]
        assert "invitation" in calls[0].text
        assert "+99" not in calls[0].text and "lobby" not in calls[0].text.lower()
    calls = await chat.press(STRANGER, "lt:car-14-tut")
    assert [c.name for c in calls] == ["AnswerCallbackQuery"]
    assert "no longer valid" in calls[0].params["text"]


# ---------------------------------------------------------------- reminders and running late


async def test_departure_reminder_once_and_running_late_alerts_once(
    chat: Chat, clock: FakeClock
) -> None:
    await started(chat)
    clock.now = CAR_AT - timedelta(minutes=15)
    await notifier(chat).run_due()
    (reminder,) = [c for c in chat.session.calls if c.text.startswith("⏰ Car leaves at 13:40")]
    assert reminder.chat_id == SHERNAYEV
    assert "in 15 minutes" in reminder.text and "Meeting point: Forum hall, west exit" in (
        reminder.text
    )
    assert "Black sedan" in reminder.text
    assert [d for _, d in reminder.buttons()] == ["v:forum-hall", "lt:car-14-tut"]
    chat.session.clear()
    await notifier(chat).run_due()  # again: nothing
    assert chat.session.calls == []
    rows = [r for r in await deliveries.list_deliveries(chat.app.db, kind="reminder")
            if is_departure_key(r.key) and r.status == "sent"]  # fmt: skip
    assert [r.key for r in rows] == ["departure:car-14-tut@2023-09-14T08:40:00Z/15"]

    clock.advance(minutes=2)
    calls = await chat.press(SHERNAYEV, "lt:car-14-tut")
    alerts = [c for c in calls if c.name == "SendMessage"]
    assert sorted(c.chat_id for c in alerts) == [PROTOCOL, ORGANISER_ID]
    assert "Running late: Anvar Normamatovich Shernayev" in alerts[0].text
    assert "For: Car at 13:40, Forum plenary hall → Technological University" in alerts[0].text
    assert "Pressed at 13:27." in alerts[0].text
    (answer,) = [c for c in calls if c.name == "AnswerCallbackQuery"]
    assert "have been told" in answer.params["text"]
    calls = await chat.press(SHERNAYEV, "lt:car-14-tut")  # a second press: no second alert
    assert [c.name for c in calls] == ["AnswerCallbackQuery"]
    assert "already know" in calls[0].params["text"]


async def test_running_late_for_someone_elses_or_a_forged_departure(chat: Chat) -> None:
    await started(chat)
    for data in ("lt:car-14-head", "lt:no-such-car", "lt:" + "x" * 40):
        calls = await chat.press(SHERNAYEV, data)
        assert [c.name for c in calls] == ["AnswerCallbackQuery"], data
    assert not await chat.app.db.fetchall("SELECT * FROM running_late")


async def test_a_moved_departure_is_told_and_its_reminder_follows(
    chat: Chat, clock: FakeClock
) -> None:
    await started(chat)
    calls = await chat.send(ORGANISER_ID, "/move car-14-tut 13:55")
    assert "Moved: Car: Forum plenary hall → Technological University" in calls[-1].text
    await notifier(chat).idle()
    (notice,) = [c for c in chat.session.calls if "Departure moved" in c.text]
    assert notice.chat_id == SHERNAYEV
    assert "now leaves at 13:55, was 13:40" in notice.text
    chat.session.clear()
    clock.now = CAR_AT - timedelta(minutes=15)  # the old time's reminder: nothing
    await notifier(chat).run_due()
    assert not [c for c in chat.session.calls if "Car leaves" in c.text]
    clock.now = CAR_AT  # 13:40 = 13:55 - 15
    await notifier(chat).run_due()
    (reminder,) = [c for c in chat.session.calls if "Car leaves" in c.text]
    assert "leaves at 13:55, in 15 minutes" in reminder.text


async def test_an_event_moved_after_a_departure_change_is_still_told(chat: Chat) -> None:
    # Departure notices share the delivery table with the events' own; working out who was
    # told an event was cancelled read their (non-JSON) keys too and failed the whole query,
    # so no event change was told after the first departure change.
    await started(chat)
    await chat.send(ORGANISER_ID, "/cancel car-14-tut")
    await chat.press(ORGANISER_ID, "xc:car-14-tut:0")
    await notifier(chat).idle()
    assert [c for c in chat.session.calls if "Departure cancelled" in c.text]
    chat.session.clear()
    await chat.send(ORGANISER_ID, "/move mou-tut 16:00")
    await notifier(chat).idle()
    (notice,) = [c for c in chat.session.calls if c.chat_id == SHERNAYEV and "Moved" in c.text]
    assert "now 16:00" in notice.text


async def test_cancel_a_departure_after_confirming(chat: Chat) -> None:
    await started(chat)
    (question,) = await chat.send(ORGANISER_ID, "/cancel car-14-tut")
    assert "Cancel this departure?" in question.text
    assert ("❌ Cancel the event", "xc:car-14-tut:0") in question.buttons()
    calls = await chat.press(ORGANISER_ID, "xc:car-14-tut:0")
    assert any("Cancelled: Car:" in c.text for c in calls)
    await notifier(chat).idle()
    (notice,) = [c for c in chat.session.calls if "Departure cancelled" in c.text]
    assert notice.chat_id == SHERNAYEV
    calls = await chat.press(ORGANISER_ID, "xc:car-14-tut:0")  # again: harmless
    assert [c.name for c in calls] == ["AnswerCallbackQuery"]
    (again,) = await chat.send(ORGANISER_ID, "/cancel car-14-tut")
    assert "already cancelled" in again.text


async def test_delegates_cannot_move_departures(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    (answer,) = await chat.send(SHERNAYEV, "/move car-14-tut 15:00")
    assert "organisers only" in answer.text


# ---------------------------------------------------------------- the pinned day


async def test_the_day_is_pinned_edited_on_a_change_and_replaced_next_day(
    chat: Chat, clock: FakeClock
) -> None:
    clock.now = datetime(2023, 9, 14, 2, 0, tzinfo=UTC)  # 07:00: registered before 08:00
    await started(chat)
    clock.now = datetime(2023, 9, 14, 3, 0, tzinfo=UTC)  # 08:00
    await notifier(chat).run_due()
    (briefing,) = [c for c in chat.session.calls
                   if c.chat_id == SHERNAYEV and "Good morning" in c.text]  # fmt: skip
    assert "13:40  Car: Forum plenary hall → Technological University" in briefing.text
    assert briefing.text.index("09:00  Bus") < briefing.text.index("Opening plenary")
    (pin,) = chat.session.sent("PinChatMessage", SHERNAYEV)
    assert pin.params["message_id"] == briefing.result.message_id
    assert pin.params["disable_notification"] is True
    stored = await chat.app.db.fetchone("SELECT id FROM delegate WHERE telegram_id = ?",
                                        (SHERNAYEV,))  # fmt: skip
    assert stored is not None

    chat.session.clear()
    await chat.send(ORGANISER_ID, "/move mou-tut 16:00")
    await notifier(chat).idle()
    (edit,) = chat.session.sent("EditMessageText", SHERNAYEV)
    assert edit.params["message_id"] == briefing.result.message_id
    assert "16:00–16:30" in edit.text and "14:30–15:00" not in edit.text
    # The head of delegation's day did not change: his pin is left alone.
    assert chat.session.sent("EditMessageText", HEAD) == []

    chat.session.clear()
    await chat.app.changes.apply([])  # a change elsewhere: the same text, no edit
    assert chat.session.sent("EditMessageText") == []

    clock.now = datetime(2023, 9, 15, 3, 0, tzinfo=UTC)  # the next morning
    await notifier(chat).run_due()
    (unpin,) = chat.session.sent("UnpinChatMessage", SHERNAYEV)
    assert unpin.params["message_id"] == briefing.result.message_id
    (new_pin,) = chat.session.sent("PinChatMessage", SHERNAYEV)
    assert new_pin.params["message_id"] != briefing.result.message_id
    current = await pin_of(chat.app.db, stored["id"])
    assert current is not None and current.day.isoformat() == "2023-09-15"


# ---------------------------------------------------------------- the programme views


async def test_schedule_my_and_cards_show_departures_in_time_order(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    (day,) = await chat.send(SHERNAYEV, "/schedule")
    assert day.text.index("09:00  Bus") < day.text.index("Opening plenary")
    assert day.text.index("13:40  Car") < day.text.index(MOU)
    card = (await chat.press(SHERNAYEV, "e:mou-tut"))[-1]
    assert "Getting there" in card.text and "Car at 13:40 from Forum hall, west exit" in card.text
    calls = await chat.send(SHERNAYEV, "/my")
    whole = "\n".join(c.text for c in calls)
    assert "Arrival: Wednesday, 13 September, 18:40, Dushanbe International Airport, HY 753" in (
        whole
    )
    assert "Hotel: Delegation hotel" in whole and "HY 754" in whole
    assert "19:30  Bus: Dushanbe International Airport → Delegation hotel" in whole


async def test_calendar_has_departures_and_own_flights(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(SHERNAYEV, "/calendar")
    (document,) = [c for c in calls if c.name == "SendDocument"]
    (data,) = [v for k, v in document.params.items() if k.startswith("file:")]
    items = Calendar.from_ical(data.data).walk("VEVENT")
    summaries = {str(i["SUMMARY"]) for i in items}
    assert "Car: Forum plenary hall → Technological University of Tajikistan" in summaries
    assert "Arrival HY 753" in summaries and "Departure HY 754" in summaries
    assert "Car: Forum plenary hall → Delegation hotel" not in summaries  # the head's car


# ---------------------------------------------------------------- QR invitations


def _decode(upload: object) -> list[str]:
    image = Image.open(io.BytesIO(upload.data))  # type: ignore[attr-defined]
    return [r.text for r in zxingcpp.read_barcodes(image)]


async def test_invite_sends_the_link_as_a_qr_code(chat: Chat) -> None:
    calls = await chat.send(ORGANISER_ID, "/invite Dilshod Karimov tict")
    link_message, photo = [c for c in calls if c.name != "GetMe"]
    link = link_message.text.splitlines()[-1]
    assert link.startswith("https://t.me/forum_test_bot?start=")
    assert photo.name == "SendPhoto" and "Dilshod Karimov" in photo.text
    (upload,) = [v for k, v in photo.params.items() if k.startswith("file:")]
    assert _decode(upload) == [link]


async def test_delegates_qr_for_those_not_registered(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.send(ORGANISER_ID, "/delegates")
    assert ("🔳 QR codes to print", "qr:0") in calls[-1].buttons()
    calls = await chat.press(ORGANISER_ID, "qr:0")
    (album,) = [c for c in calls if c.name == "SendMediaGroup"]
    uploads = [v for k, v in album.params.items() if k.startswith("file:")]
    links = sorted(text for u in uploads for text in _decode(u))
    assert len(links) == 5  # six in the file, one registered
    assert "https://t.me/forum_test_bot?start=tict-Hq7mX2vL9p" not in links
    assert "https://t.me/forum_test_bot?start=head-Zq4vN8rT2m" in links
    calls = await chat.press(SHERNAYEV, "qr:0")  # a delegate's forged press: nothing
    assert [c.name for c in calls] == ["AnswerCallbackQuery"]


async def test_transport_and_contacts_in_russian_and_uzbek(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    stored = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert stored is not None
    await delegates.set_language(chat.app.db, stored.id, "ru")
    (answer,) = await chat.send(SHERNAYEV, "/transport")
    assert "Ваш транспорт" in answer.text and "Машина" in answer.text
    assert "Место сбора: Зал форума, западный выход, парковка" in answer.text
    listing = (await chat.send(SHERNAYEV, "/contacts"))[0]
    assert "Сотрудник протокола" in listing.text
    await delegates.set_language(chat.app.db, stored.id, "uz")
    (answer,) = await chat.send(SHERNAYEV, "/transport")
    assert "Transportingiz" in answer.text and "Yigʻilish joyi: Forum zali" in answer.text
