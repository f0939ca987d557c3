"""The organisers' console through the real dispatcher: access, broadcasts, programme changes,
imports, invitations, statistics."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.types import Document, PhotoSize

from bot.app import create_app
from bot.delivery.broadcasts import BroadcastService
from bot.settings import Settings
from db import audit, delegates
from db import broadcasts as store
from db.connection import to_db
from db.forum import EventChange, get_event
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support import updates
from tests.support.recording import RecordingSession

SHERNAYEV = 101  # group tict
HEAD = 102  # no group
STRANGER = 666


def service(chat: Chat) -> BroadcastService:
    return chat.app.services.broadcasts  # type: ignore[no-any-return]


async def snapshot(chat: Chat) -> tuple[object, ...]:
    db = chat.app.db
    tables = ("event", "delegate", "broadcast", "broadcast_recipient", "organiser_log")
    rows = []
    for table in tables:
        rows.append([tuple(r) for r in await db.fetchall(f"SELECT * FROM {table}")])
    return tuple(rows)


def recorder(chat: Chat) -> list[EventChange]:
    heard: list[EventChange] = []

    async def listen(changes: Sequence[EventChange]) -> None:
        heard.extend(changes)

    chat.app.changes.subscribe(listen)
    return heard


async def send_document(chat: Chat, user_id: int, content: bytes, name: str) -> list:
    session = chat.session
    session.files["file-" + name] = content
    document = Document(
        file_id="file-" + name, file_unique_id=name, file_name=name, file_size=len(content)
    )
    return await chat._feed(updates.message(user_id, None, document=document, caption="/import"))


async def press_preview(chat: Chat, action: str, *, nth_last: int = 1) -> list:
    """Press a button of the organiser's latest broadcast preview (or an earlier one)."""
    previews = [
        c
        for c in chat.session.sent("SendMessage", chat_id=ORGANISER_ID)
        if any((d or "").startswith("bf:") for _, d in c.buttons())
    ]
    buttons = previews[-nth_last].buttons()
    data = next(d for _, d in buttons if d and d.startswith(f"bf:{action}:"))
    return await chat.press(ORGANISER_ID, data)


# ---------------------------------------------------------------- access control

ORGANISER_COMMANDS = (
    "/broadcast",
    "/broadcast tict",
    "/move mou-tut 15:00",
    "/cancel mou-tut",
    "/import",
    "/delegates",
    "/invite Somebody tict",
    "/stats",
    "/log",
)
FORGED_PRESSES = ("bf:send:1", "bf:confirm:1", "b:1:st", "b:1:rm", "xc:mou-tut:0")


@pytest.mark.parametrize("user", [SHERNAYEV, STRANGER])
async def test_others_are_refused_every_organiser_command(
    chat: Chat, user: int, clock: FakeClock
) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    before = await snapshot(chat)
    for command in ORGANISER_COMMANDS:
        clock.advance(seconds=15)  # strangers are answered once per 15 seconds
        calls = await chat.send(user, command)
        assert len(calls) == 1, command
        text = calls[0].text
        assert "organisers only" in text or "invitation" in text, (command, text)
        assert "https://t.me" not in text
    for data in FORGED_PRESSES:
        clock.advance(seconds=15)
        calls = await chat.press(user, data)
        assert [c.name for c in calls] == ["AnswerCallbackQuery"], data
        assert "no longer valid" in calls[0].params["text"]
    clock.advance(seconds=15)
    calls = await send_document(chat, user, b"broken", "forum.toml")
    assert len(calls) == 1 and calls[0].name != "GetFile"
    assert await snapshot(chat) == before


# ---------------------------------------------------------------- broadcasts


async def test_broadcast_flow_end_to_end(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    calls = await chat.send(ORGANISER_ID, "/broadcast")
    assert "the whole delegation" in calls[-1].text and "2 registered" in calls[-1].text
    calls = await chat.send(ORGANISER_ID, "Bus leaves at 9:00 <sharp> & on time")
    # A preview (the copy) and the question with three buttons; nothing to delegates yet.
    assert [c.chat_id for c in calls] == [ORGANISER_ID, ORGANISER_ID]
    assert calls[0].params["text"] == "Bus leaves at 9:00 &lt;sharp&gt; &amp; on time"
    assert "2 delegates" in calls[1].text
    draft = calls[1].buttons()[0][1].rsplit(":", 1)[1]
    actions = ("send", "confirm", "cancel")
    assert [d for _, d in calls[1].buttons()] == [f"bf:{a}:{draft}" for a in actions]
    assert await store.recent(chat.app.db) == []
    calls = await press_preview(chat, "send")
    await service(chat).join()
    session = chat.session
    for user in (SHERNAYEV, HEAD):
        got = [c for c in session.sent("SendMessage", chat_id=user) if "Bus" in c.text]
        assert len(got) == 1 and got[0].text == "Bus leaves at 9:00 <sharp> & on time"
        assert got[0].buttons() == []
    report = session.sent("SendMessage", chat_id=ORGANISER_ID)[-1].text
    assert "Delivered: 2 of 2" in report
    [broadcast] = await store.recent(chat.app.db)
    assert broadcast.status == "done" and broadcast.audience is None
    calls = await chat.send(ORGANISER_ID, "/log")
    assert "broadcast" in calls[-1].text and f"#{broadcast.id}" in calls[-1].text


async def test_group_broadcast_with_a_photo_reaches_the_group_only(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    calls = await chat.send(ORGANISER_ID, "/broadcast nosuch")
    assert "There is no group nosuch" in calls[-1].text
    await chat.send(ORGANISER_ID, "/broadcast tict")
    photo = [PhotoSize(file_id="ph-1", file_unique_id="u1", width=10, height=10)]
    calls = await chat._feed(
        updates.message(ORGANISER_ID, None, photo=photo, caption="Dress code: dark suits")
    )
    assert calls[0].name == "SendPhoto" and "1 delegate " in calls[-1].text
    await press_preview(chat, "send")
    await service(chat).join()
    photos = chat.session.sent("SendPhoto")
    assert [(c.chat_id, c.params["photo"]) for c in photos[1:]] == [(SHERNAYEV, "ph-1")]
    assert photos[1].text == "Dress code: dark suits"


async def test_cancel_ends_the_flow_and_nothing_is_sent(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/broadcast")
    await chat.send(ORGANISER_ID, "Draft")
    calls = await chat.send(ORGANISER_ID, "/cancel")
    assert "Nothing was sent" in calls[-1].text
    calls = await press_preview(chat, "send")
    assert "out of date: nothing was sent" in calls[0].params["text"]
    calls = await chat.send(ORGANISER_ID, "/cancel")  # outside the flow: how to use it
    assert "Usage: /cancel EVENT_ID" in calls[-1].text
    # The cancel button too.
    await chat.send(ORGANISER_ID, "/broadcast")
    await chat.send(ORGANISER_ID, "Draft again")
    await press_preview(chat, "cancel")
    await service(chat).join()
    assert chat.session.sent("SendMessage", chat_id=SHERNAYEV)[-1].text.startswith("Welcome")
    assert await store.recent(chat.app.db) == []


async def test_an_older_preview_cannot_send_the_newer_draft(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/broadcast")
    await chat.send(ORGANISER_ID, "Dinner at 19:00")
    await chat.send(ORGANISER_ID, "Dinner at 20:00, not 19:00")
    calls = await press_preview(chat, "send", nth_last=2)  # the first preview's Send
    assert "newer preview replaced this one" in calls[0].params["text"]
    assert [c.name for c in calls] == ["AnswerCallbackQuery", "EditMessageReplyMarkup"]
    assert await store.recent(chat.app.db) == []
    await press_preview(chat, "send")
    await service(chat).join()
    got = [c.text for c in chat.session.sent("SendMessage", chat_id=SHERNAYEV)]
    assert got[-1] == "Dinner at 20:00, not 19:00" and "Dinner at 19:00" not in got


async def test_send_on_a_preview_from_before_a_restart_is_answered_clearly(
    settings: Settings, clock: FakeClock
) -> None:
    first = await create_app(settings, session=RecordingSession(), clock=clock)
    try:
        chat = Chat(first, first.bot.session)  # type: ignore[arg-type]
        await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
        await chat.send(ORGANISER_ID, "/broadcast")
        preview = (await chat.send(ORGANISER_ID, "Bus at 9"))[-1]
    finally:
        await first.stop()
        await first.close()
    again = await create_app(settings, session=RecordingSession(), clock=clock)
    try:
        chat = Chat(again, again.bot.session)  # type: ignore[arg-type]
        [(_, send)] = [b for b in preview.buttons() if (b[1] or "").startswith("bf:send:")]
        calls = await chat.press(ORGANISER_ID, send)  # type: ignore[arg-type]
        alert = calls[0].params
        assert alert["show_alert"] and len(alert["text"]) <= 200
        assert "out of date: nothing was sent. Send /broadcast" in alert["text"]
        assert await store.recent(again.db) == []
        assert chat.session.sent("SendMessage", chat_id=SHERNAYEV) == []
    finally:
        await again.stop()
        await again.close()


async def test_a_caption_too_long_for_a_bot_is_refused_at_preview(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/broadcast")
    photo = [PhotoSize(file_id="ph-1", file_unique_id="u1", width=10, height=10)]
    caption = "Programme changes: " + "x" * 1100  # Telegram Premium allows people 4096
    calls = await chat._feed(updates.message(ORGANISER_ID, None, photo=photo, caption=caption))
    assert [c.name for c in calls] == ["SendMessage"]
    assert "1119 characters long" in calls[0].text and "at most 1024" in calls[0].text
    # Still waiting for the message: a shorter caption is previewed.
    calls = await chat._feed(updates.message(ORGANISER_ID, None, photo=photo, caption="Short"))
    assert calls[0].name == "SendPhoto" and "1 delegate " in calls[-1].text


async def test_a_preview_telegram_refuses_keeps_the_flow_waiting(chat: Chat) -> None:
    from aiogram.exceptions import TelegramBadRequest

    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/broadcast")

    def refuse(method):  # type: ignore[no-untyped-def]
        if type(method).__name__ == "SendDocument":
            return TelegramBadRequest(method, "Bad Request: wrong file identifier")
        return None

    chat.session.fail = refuse
    document = Document(file_id="gone", file_unique_id="gone", file_name="a.pdf")
    calls = await chat._feed(updates.message(ORGANISER_ID, None, document=document))
    assert "Telegram refused this message (Bad Request: wrong file identifier)" in calls[-1].text
    chat.session.fail = None
    calls = await chat.send(ORGANISER_ID, "Text instead")
    assert "1 delegate " in calls[-1].text


async def test_confirmation_report_and_reminder(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    await chat.send(ORGANISER_ID, "/broadcast")
    await chat.send(ORGANISER_ID, "Passports to the protocol desk by 10:00")
    await press_preview(chat, "confirm")
    await service(chat).join()
    [broadcast] = await store.recent(chat.app.db)
    copies = [
        c
        for c in chat.session.sent("SendMessage")
        if "Passports" in c.text and c.chat_id != ORGANISER_ID
    ]
    assert {c.chat_id for c in copies} == {SHERNAYEV, HEAD}
    assert all(c.buttons() == [("✅ Received", f"b:{broadcast.id}:ok")] for c in copies)
    report = chat.session.sent("SendMessage", chat_id=ORGANISER_ID)[-1]
    assert "Not confirmed yet (2)" in report.text
    # A stranger cannot confirm; the delegate can, once.
    calls = await chat.press(STRANGER, f"b:{broadcast.id}:ok")
    assert "no longer valid" in calls[0].params["text"]
    calls = await chat.press(SHERNAYEV, f"b:{broadcast.id}:ok")
    assert "Thank you" in calls[0].params["text"]
    calls = await chat.press(ORGANISER_ID, f"b:{broadcast.id}:st")
    text = calls[-1].text
    assert "Confirmed: 1 of 2" in text and "Not confirmed yet (1)" in text
    assert "Bobomurod" in text or "Buzrukkhanov" in text
    assert "Shernayev" not in text.split("Not confirmed yet")[1]
    before = len(chat.session.calls)
    await chat.press(ORGANISER_ID, f"b:{broadcast.id}:rm")
    await service(chat).join()
    reminders = [
        c for c in chat.session.calls[before:] if c.name == "SendMessage" and "Reminder" in c.text
    ]
    assert [c.chat_id for c in reminders] == [HEAD]
    assert "Passports" in reminders[0].text
    assert reminders[0].buttons() == [("✅ Received", f"b:{broadcast.id}:ok")]
    await chat.press(HEAD, f"b:{broadcast.id}:ok")
    assert await store.unconfirmed(chat.app.db, broadcast.id) == []


# ---------------------------------------------------------------- programme changes


async def test_move_keeps_duration_and_tells_the_listeners(chat: Chat) -> None:
    heard = recorder(chat)
    event = await get_event(chat.app.db, "mou-tut")
    assert event is not None
    calls = await chat.send(ORGANISER_ID, "/move mou-tut 15:00")
    assert "Moved" in calls[-1].text and "15:00" in calls[-1].text
    moved = await get_event(chat.app.db, "mou-tut")
    assert moved is not None and moved.starts == datetime(2023, 9, 14, 10, 0, tzinfo=UTC)
    assert moved.ends - moved.starts == event.ends - event.starts
    assert [(c.before.starts, c.after.starts) for c in heard] == [(event.starts, moved.starts)]
    calls = await chat.send(ORGANISER_ID, "/move mou-tut 2023-09-15 09:30")
    moved = await get_event(chat.app.db, "mou-tut")
    assert moved is not None and moved.starts == datetime(2023, 9, 15, 4, 30, tzinfo=UTC)
    assert len(heard) == 2
    assert "move" in (await chat.send(ORGANISER_ID, "/log"))[-1].text


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        ("mou-tut", "Usage: /move"),
        ("nosuch 10:00", "There is no event nosuch"),
        ("mou-tut 25:00", "no such time"),
        ("mou-tut 2023-02-30 10:00", "no such date"),
        ("mou-tut 10am", "HH:MM"),
        ("mou-tut 2023-09-13 10:00", "in the past"),
    ],
)
async def test_bad_move_changes_nothing(chat: Chat, args: str, reply: str) -> None:
    heard = recorder(chat)
    before = await snapshot(chat)
    calls = await chat.send(ORGANISER_ID, f"/move {args}")
    assert reply in calls[-1].text
    assert await snapshot(chat) == before and heard == []


async def test_cancel_event_after_confirmation(chat: Chat) -> None:
    heard = recorder(chat)
    calls = await chat.send(ORGANISER_ID, "/cancel mou-tut")
    assert "Cancel this event?" in calls[-1].text
    assert [d for _, d in calls[-1].buttons()] == ["xc:mou-tut:0", "xc:mou-tut:1"]
    event = await get_event(chat.app.db, "mou-tut")
    assert event is not None and event.status == "scheduled" and heard == []
    await chat.press(ORGANISER_ID, "xc:mou-tut:1")
    assert heard == []
    calls = await chat.press(ORGANISER_ID, "xc:mou-tut:0")
    assert "Cancelled" in calls[-1].text
    event = await get_event(chat.app.db, "mou-tut")
    assert event is not None and event.status == "cancelled"
    assert [c.after.status for c in heard] == ["cancelled"]
    calls = await chat.press(ORGANISER_ID, "xc:mou-tut:0")  # pressed twice
    assert "no longer valid" in calls[0].params["text"] and len(heard) == 1
    assert "already cancelled" in (await chat.send(ORGANISER_ID, "/cancel mou-tut"))[-1].text
    assert "There is no event" in (await chat.send(ORGANISER_ID, "/cancel nosuch"))[-1].text


async def test_import_of_a_broken_file_changes_nothing(chat: Chat) -> None:
    heard = recorder(chat)
    before = await snapshot(chat)
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8").replace(
        "ends = 2023-09-14T15:00:00", "ends = 2023-09-14T14:00:00", 1
    )
    calls = await send_document(chat, ORGANISER_ID, text.encode(), "forum.toml")
    reply = calls[-1].text
    assert "nothing was changed" in reply and 'forum.toml: event "mou-tut"' in reply
    calls = await send_document(chat, ORGANISER_ID, b"name = [broken", "bad.toml")
    assert "TOML syntax error" in calls[-1].text
    assert await snapshot(chat) == before and heard == []
    calls = await chat.send(ORGANISER_ID, "/import")
    assert "Attach the forum file" in calls[-1].text


async def test_import_reports_changes_and_tells_the_listeners(chat: Chat) -> None:
    heard = recorder(chat)
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    changed = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:00:00", 1)
    assert changed != text
    calls = await send_document(chat, ORGANISER_ID, changed.encode(), "forum.toml")
    assert "0 added, 1 changed, 0 removed" in calls[-1].text
    assert [c.after.id for c in heard] == ["mou-tut"]
    assert "import" in (await chat.send(ORGANISER_ID, "/log"))[-1].text


# ---------------------------------------------------------------- people


async def test_invite_creates_a_delegate_with_a_working_link(chat: Chat) -> None:
    calls = await chat.send(ORGANISER_ID, "/invite Dilshod <Karimov> tict")
    text = next(c.text for c in calls if c.name == "SendMessage")  # the QR card follows
    assert "Invited Dilshod <Karimov> (group: Tashkent Institute of Chemical" in text
    match = re.search(r"https://t\.me/forum_test_bot\?start=([A-Za-z0-9_-]+)", text)
    assert match and 16 <= len(match[1]) <= 64
    calls = await chat.register(555, match[1])
    assert "Welcome, Dilshod <Karimov>" in calls[-1].text
    stored = await delegates.by_telegram_id(chat.app.db, 555)
    assert stored is not None and stored.group == "tict" and stored.source == "invite"
    calls = await chat.send(ORGANISER_ID, "/invite")
    assert "Usage: /invite" in calls[-1].text


async def test_delegates_list_is_split_under_the_limit(chat: Chat) -> None:
    for number in range(120):
        await delegates.create_invited(
            chat.app.db,
            f"Delegate number {number:03} " + "x" * 30,
            f"code-{number:03}",
            group="tict",
            position="Vice-rector for international relations",
        )
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = [c for c in await chat.send(ORGANISER_ID, "/delegates") if c.name == "SendMessage"]
    assert len(calls) > 2
    assert all(len(c.params["text"]) <= 4096 for c in calls)
    text = "\n".join(c.text for c in calls)
    assert all(f"Delegate number {n:03}" in text for n in range(120))
    assert "https://t.me/forum_test_bot?start=code-007" in text
    assert "Delegates: 1 of" in calls[0].text


async def test_stats(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m", language_code="ru")
    await chat.send(ORGANISER_ID, "/broadcast")
    await chat.send(ORGANISER_ID, "Hello")
    await press_preview(chat, "send")
    await service(chat).join()
    shernayev = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert shernayev is not None
    now, yesterday = to_db(chat.app.clock()), to_db(chat.app.clock() - timedelta(days=1))
    for key, sent_at in (("a", now), ("b", now), ("c", yesterday)):
        await chat.app.db.execute(
            "INSERT INTO delivery (kind, key, delegate_id, due_at, status, created_at, sent_at)"
            " VALUES ('reminder', ?, ?, ?, 'sent', ?, ?)",
            (key, shernayev.id, sent_at, sent_at, sent_at),
        )
    await chat.app.db.execute(
        "INSERT INTO attendance (event_id, delegate_id, checked_in_at) VALUES (?, ?, ?)",
        ("opening-plenary", shernayev.id, now),
    )
    calls = await chat.send(ORGANISER_ID, "/stats")
    text = calls[-1].text
    assert re.search(r"Registered: 2 of \d+ delegates", text)
    assert "English: 1" in text and "Русский: 1" in text
    assert "Reminders sent today: 2" in text and "Check-ins today: 1" in text
    assert "sent 2, blocked 0, failed 0 of 2" in text


def test_recording_session_serves_registered_files() -> None:
    assert RecordingSession(files={"a": b"x"}).files == {"a": b"x"}


async def test_move_and_cancel_reach_the_delegates_as_change_notices(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")  # group tict: mou-tut concerns them
    await chat.register(HEAD, "head-Zq4vN8rT2m")  # no group: it does not
    await chat.send(ORGANISER_ID, "/move mou-tut 15:00")
    notifier = chat.app.services.notifier
    await notifier.idle()
    notices = [c.text for c in chat.session.sent("SendMessage", chat_id=SHERNAYEV)]
    assert any("Moved" in text and "15:00" in text for text in notices), notices
    assert not any("Moved" in c.text for c in chat.session.sent("SendMessage", chat_id=HEAD))
    await chat.send(ORGANISER_ID, "/cancel mou-tut")
    await chat.press(ORGANISER_ID, "xc:mou-tut:0")
    await notifier.idle()
    last = chat.session.sent("SendMessage", chat_id=SHERNAYEV)[-1].text
    assert "Cancelled" in last or "cancelled" in last


async def test_import_document_from_a_delegate_is_refused_as_organisers_only(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    before = await snapshot(chat)
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    calls = await send_document(chat, SHERNAYEV, text.encode(), "forum.toml")
    assert calls[-1].text == "This command is for the organisers only."
    assert await snapshot(chat) == before


async def test_delegates_list_shows_shared_code_joiners_and_blocked_people(chat: Chat) -> None:
    await chat.register(STRANGER, "dushanbe2023", first_name="Dilnoza")
    joined = await delegates.by_telegram_id(chat.app.db, STRANGER)
    assert joined is not None
    await delegates.mark_blocked(chat.app.db, joined.id, datetime(2023, 9, 14, tzinfo=UTC))
    text = "\n".join(c.text for c in await chat.send(ORGANISER_ID, "/delegates"))
    block = text.split("Dilnoza", 1)[1].split("\n\n", 1)[0]
    assert "joined with the shared delegation code" in block
    assert "has blocked the bot" in block


async def test_an_imported_file_survives_a_restart(settings: Settings, clock: FakeClock) -> None:
    """/import replaces the programme; a restart with FORUM_FILE unchanged on disk must not
    re-import that older file over it (nor tell everyone of the reversal)."""
    first = await create_app(settings, session=RecordingSession(), clock=clock)
    chat = Chat(first, first.bot.session)  # type: ignore[arg-type]
    try:
        await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
        text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
        changed = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:00:00", 1)
        calls = await send_document(chat, ORGANISER_ID, changed.encode(), "forum.toml")
        assert "0 added, 1 changed, 0 removed" in calls[-1].text
        await first.services.notifier.idle()  # the notice of the import goes now
    finally:
        await first.stop()
        await first.close()
    session = RecordingSession()
    again = await create_app(settings, session=session, clock=clock)
    try:
        assert again.import_report is None
        await again.start()
        await again.services.notifier.idle()
        event = await get_event(again.db, "mou-tut")
        assert event is not None and event.starts == datetime(2023, 9, 14, 9, 0, tzinfo=UTC)
        # No notice of a reversal: the start has nothing to tell about mou-tut.
        assert not any("14:30" in c.text for c in session.sent("SendMessage", chat_id=SHERNAYEV))
    finally:
        await again.stop()
        await again.close()


async def test_a_reminder_of_a_message_at_the_limit_goes_without_its_header(chat: Chat) -> None:
    from aiogram.exceptions import TelegramBadRequest

    from bot.delivery.broadcast_content import visible_length

    def like_telegram(method):  # type: ignore[no-untyped-def]
        text = getattr(method, "text", None)
        if text is not None and visible_length(text) > 4096:
            return TelegramBadRequest(method, "Bad Request: message is too long")
        return None

    chat.session.fail = like_telegram
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    long_text = "Rules & timing: " + "y" * 4070  # 4086 as Telegram counts it
    short_text = "Passports & visas"
    ids = []
    for text in (long_text, short_text):
        await chat.send(ORGANISER_ID, "/broadcast")
        await chat.send(ORGANISER_ID, text)
        await press_preview(chat, "confirm")
        await service(chat).join()
        ids.append((await store.recent(chat.app.db, 1))[0].id)
    for broadcast_id, text in zip(ids, (long_text, short_text), strict=True):
        before = len(chat.session.calls)
        await chat.press(ORGANISER_ID, f"b:{broadcast_id}:rm")
        await service(chat).join()
        copies = [
            c
            for c in chat.session.calls[before:]
            if c.name == "SendMessage" and c.chat_id in (SHERNAYEV, HEAD)
        ]
        assert len(copies) == 2
        [reminder] = await store.recent(chat.app.db, 1)
        counts = await store.counts(chat.app.db, reminder.id)
        assert (counts.sent, counts.failed) == (2, 0)
        if text is long_text:
            assert all(c.text == text for c in copies)  # no room for "🔔 Reminder"
        else:
            assert all(c.text == "🔔 Reminder\n\n" + text for c in copies)


def test_visible_length_counts_what_telegram_counts() -> None:
    from bot.delivery.broadcast_content import visible_length

    assert visible_length('<b>a</b> &amp; <a href="https://x.org/?a=1&amp;b=2">b</a>') == 5
    assert visible_length("🔔") == 2  # UTF-16: outside the BMP


async def test_log_names_the_organisers_who_are_delegates(chat: Chat) -> None:
    await delegates.create_invited(chat.app.db, "Nodira <Protocol> & Co", "org-code", group=None)
    await chat.register(ORGANISER_ID, "org-code")
    await chat.send(ORGANISER_ID, "/move mou-tut 15:00")
    await audit.log_action(chat.app.db, 901, "invite", "Someone (-)", chat.app.clock())
    calls = await chat.send(ORGANISER_ID, "/log")
    text = calls[-1].text
    assert f"Nodira <Protocol> & Co ({ORGANISER_ID}) · move mou-tut" in text
    assert "· 901 · invite Someone (-)" in text


async def test_a_double_tap_on_remind_reminds_once(chat: Chat) -> None:
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    await chat.send(ORGANISER_ID, "/broadcast")
    await chat.send(ORGANISER_ID, "Passports to the protocol desk by 10:00")
    await press_preview(chat, "confirm")
    await service(chat).join()
    [broadcast] = await store.recent(chat.app.db)
    before = len(chat.session.calls)
    first, second = await asyncio.gather(
        chat.press(ORGANISER_ID, f"b:{broadcast.id}:rm"),
        chat.press(ORGANISER_ID, f"b:{broadcast.id}:rm"),
    )
    await service(chat).join()
    reminders = [
        c for c in chat.session.calls[before:] if c.name == "SendMessage" and "Reminder" in c.text
    ]
    assert [c.chat_id for c in reminders] == [HEAD]
    answers = sorted(c.params["text"] for c in (*first, *second) if c.name == "AnswerCallbackQuery")
    assert answers[0].startswith("Nobody to remind") and "on its way" in answers[1]


async def test_import_whose_file_telegram_will_not_hand_over_changes_nothing(chat: Chat) -> None:
    before = await snapshot(chat)
    document = Document(file_id="gone", file_unique_id="gone", file_name="forum.toml", file_size=10)
    calls = await chat._feed(
        updates.message(ORGANISER_ID, None, document=document, caption="/import")
    )
    assert calls[-1].text == (
        "Telegram did not hand over the file. Please send it again. Nothing was changed."
    )
    assert await snapshot(chat) == before
