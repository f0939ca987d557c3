"""Reminders, briefings and change notices through the real app, with the FakeClock.

The clock starts on 14 Sep 2023 at 11:00 in Dushanbe (06:00 UTC). The MoU signing with
TUT is at 14:30 local (09:30 UTC), for the group "tict" only; the closing plenary on
15 Sep at 10:00 local (05:00 UTC) is for the whole delegation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.app import App, create_app
from bot.delivery.notifier import Notifier
from bot.settings import Settings
from bot.views.callbacks import RemindersCb
from db import delegates, deliveries
from db.connection import open_db
from db.forum import get_event, reschedule_event, set_event_status
from db.migrations import MIGRATIONS
from schedule.departures import is_departure_key
from schedule.services.importing import import_forum_text, import_if_changed
from tests.conftest import Chat, FakeClock
from tests.support.recording import Call, RecordingSession

SHERNAYEV = 101  # group tict
HEAD = 102  # no group
RECTOR = 103  # no group
MOU = "Signing of a memorandum of understanding with the Technological University"
CLOSING = "Plenary session and closing of the Forum"
MOU_AT = datetime(2023, 9, 14, 9, 30, tzinfo=UTC)
CLOSING_AT = datetime(2023, 9, 15, 5, 0, tzinfo=UTC)


def notifier(app: App) -> Notifier:
    return app.services.notifier  # type: ignore[no-any-return]


async def started(chat: Chat) -> Chat:
    await chat.app.start()
    await notifier(chat.app).idle()
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    await chat.register(RECTOR, "r1-Kp8sW3nQz6")
    chat.session.clear()
    return chat


async def event_reminders(chat: Chat) -> list[deliveries.Delivery]:
    """The events' reminders (the sample's departures have reminders too)."""
    rows = await deliveries.list_deliveries(chat.app.db, kind="reminder")
    return [r for r in rows if not is_departure_key(r.key)]


def about(calls: list[Call], text: str) -> list[Call]:
    return [c for c in calls if c.name == "SendMessage" and text in c.text]


def reminded(calls: list[Call], text: str) -> list[Call]:
    """Reminders (not briefings, which list the day's events too) about ``text``."""
    return [c for c in about(calls, text) if c.text.startswith("⏰")]


async def test_reminder_reaches_the_audience_once_with_its_content(
    chat: Chat, clock: FakeClock
) -> None:
    await started(chat)
    clock.now = MOU_AT - timedelta(minutes=60)
    result = await notifier(chat.app).run_due()
    [reminder] = reminded(chat.session.calls, MOU)
    assert reminder.chat_id == SHERNAYEV  # HEAD and RECTOR are outside the audience
    assert "Starts at 14:30, in 1 hour" in reminder.text
    assert "Technological University of Tajikistan, 63/3 Nematullo Karabaev Street" in reminder.text
    assert "Dress: Business formal" in reminder.text
    assert "Be seated by 14:10" in reminder.text
    assert "Bring: Two signed copies of the memorandum" in reminder.text
    buttons = [data for _, data in reminder.buttons()]
    assert buttons == ["v:tut", "r:mou-tut:y", "r:mou-tut:n"]  # first reminder: RSVP, no check-in
    assert result.sent >= 1
    chat.session.clear()
    assert (await notifier(chat.app).run_due()).sent == 0
    assert chat.session.calls == []

    clock.now = MOU_AT - timedelta(minutes=15)
    await notifier(chat.app).run_due()
    [second] = reminded(chat.session.calls, MOU)
    assert "in 15 minutes" in second.text
    assert [data for _, data in second.buttons()] == ["v:tut", "c:mou-tut"]
    rows = await event_reminders(chat)
    assert sorted((r.key, r.status) for r in rows) == [
        ("mou-tut@2023-09-14T09:30:00Z/15", "sent"),
        ("mou-tut@2023-09-14T09:30:00Z/60", "sent"),
    ]


async def test_reminder_in_the_delegates_language(chat: Chat, clock: FakeClock) -> None:
    await started(chat)
    delegate = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert delegate is not None
    await delegates.set_language(chat.app.db, delegate.id, "ru")
    clock.now = MOU_AT - timedelta(minutes=60)
    await notifier(chat.app).run_due()
    [reminder] = reminded(chat.session.calls, "Подписание меморандума")
    assert reminder.chat_id == SHERNAYEV


async def test_reminders_off_gets_neither_reminders_nor_briefing(
    chat: Chat, clock: FakeClock
) -> None:
    await started(chat)
    calls = await chat.send(HEAD, "/reminders")
    assert "Reminders are on: 1 hour, 15 minutes before" in calls[-1].text
    calls = await chat.press(HEAD, RemindersCb(action="off").pack())
    assert "Reminders are off" in chat.session.last_text(HEAD)
    chat.session.clear()
    clock.now = CLOSING_AT - timedelta(minutes=60)
    await notifier(chat.app).run_due()
    closing = reminded(chat.session.calls, CLOSING)
    assert sorted(c.chat_id for c in closing) == [SHERNAYEV, RECTOR]
    assert chat.session.messages(HEAD) == []
    briefings = about(chat.session.calls, "Good morning")
    assert sorted(c.chat_id for c in briefings) == [SHERNAYEV, RECTOR]


async def test_chosen_offsets_are_honoured(chat: Chat, clock: FakeClock) -> None:
    await started(chat)
    await chat.send(SHERNAYEV, "/reminders")
    await chat.press(SHERNAYEV, RemindersCb(action="at", offset="60").pack())  # untick 1 hour
    assert "15 minutes before" in chat.session.last_text(SHERNAYEV)
    calls = await chat.press(
        SHERNAYEV, RemindersCb(action="at", offset="15").pack()
    )  # the last one cannot go
    assert any("at least one" in str(c.params.get("text")) for c in calls)
    calls = await chat.press(SHERNAYEV, RemindersCb(action="at", offset="7").pack())  # forged
    assert any("no longer valid" in str(c.params.get("text")) for c in calls)
    chat.session.clear()
    clock.now = MOU_AT - timedelta(minutes=60)
    await notifier(chat.app).run_due()
    assert reminded(chat.session.calls, MOU) == []
    clock.now = MOU_AT - timedelta(minutes=15)
    await notifier(chat.app).run_due()
    [reminder] = reminded(chat.session.calls, MOU)
    assert "r:mou-tut:y" in [d for _, d in reminder.buttons()]  # their first reminder


async def test_blocked_delegate_is_marked_and_not_tried_again(chat: Chat, clock: FakeClock) -> None:
    clock.now = datetime(2023, 9, 14, 2, 0, tzinfo=UTC)  # registered at 07:00, before 08:00
    await started(chat)

    def refuse(method: object) -> Exception | None:
        if getattr(method, "chat_id", None) == SHERNAYEV:
            return TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")  # type: ignore[arg-type]
        return None

    chat.session.fail = refuse
    clock.now = MOU_AT - timedelta(minutes=60)
    result = await notifier(chat.app).run_due()
    # The reminder, the car to the signing (due 13:25) and the briefing: one attempt.
    assert result.blocked == 3
    assert len(chat.session.sent(chat_id=SHERNAYEV)) == 1
    stored = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert stored is not None and stored.blocked_at == clock.now
    [row] = await event_reminders(chat)
    assert row.status == "blocked"
    chat.session.clear()
    clock.now = MOU_AT - timedelta(minutes=15)
    await notifier(chat.app).run_due()
    assert chat.session.sent(chat_id=SHERNAYEV) == []


async def test_move_sends_one_notice_and_reminders_follow(chat: Chat, clock: FakeClock) -> None:
    app = (await started(chat)).app
    new_start = MOU_AT + timedelta(minutes=90)  # 16:00 local
    change = await reschedule_event(
        app.db, "mou-tut", new_start, new_start + timedelta(minutes=30), clock()
    )
    assert change is not None
    await app.changes.apply([change])
    await notifier(app).idle()
    [notice] = about(chat.session.calls, "Moved")
    assert notice.chat_id == SHERNAYEV
    assert f"Moved: {MOU}" in notice.text and "now 16:00, was 14:30" in notice.text
    assert new_start - timedelta(minutes=60) in notifier(app).due_instants
    assert MOU_AT - timedelta(minutes=60) not in notifier(app).due_instants
    chat.session.clear()
    clock.now = MOU_AT - timedelta(minutes=60)  # the old time's reminder: nothing
    await notifier(app).run_due()
    assert reminded(chat.session.calls, MOU) == []
    clock.now = new_start - timedelta(minutes=60)
    await notifier(app).run_due()
    [reminder] = reminded(chat.session.calls, MOU)
    assert "Starts at 16:00" in reminder.text
    # The same change heard twice (e.g. a retried listener) is not told twice.
    chat.session.clear()
    await app.changes.apply([change])
    await notifier(app).idle()
    assert about(chat.session.calls, "Moved") == []


async def test_cancel_sends_notice_and_no_reminders(chat: Chat, clock: FakeClock) -> None:
    app = (await started(chat)).app
    change = await set_event_status(app.db, "mou-tut", "cancelled", clock())
    assert change is not None
    await app.changes.apply([change])
    await notifier(app).idle()
    [notice] = about(chat.session.calls, "Cancelled")
    assert notice.chat_id == SHERNAYEV and f"Cancelled: {MOU}" in notice.text
    chat.session.clear()
    for minutes in (60, 15):
        clock.now = MOU_AT - timedelta(minutes=minutes)
        await notifier(app).run_due()
    assert reminded(chat.session.calls, MOU) == []


async def test_reimport_same_file_sends_nothing_changed_file_one_notice(
    chat: Chat, clock: FakeClock, settings: Settings
) -> None:
    app = (await started(chat)).app
    assert await import_if_changed(app.db, settings.forum_file, clock()) is None
    text = settings.forum_file.read_text(encoding="utf-8")
    report = await import_forum_text(app.db, text, "same.toml", clock())
    assert report.changed == ()
    await app.changes.apply(report.changed)
    await notifier(app).idle()
    assert chat.session.calls == []
    moved = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:45:00", 1)
    moved = moved.replace('venue = "tut"\naudience', 'venue = "ips"\naudience', 1)
    report = await import_forum_text(app.db, moved, "moved.toml", clock())
    await app.changes.apply(report.changed)
    await notifier(app).idle()
    [notice] = about(chat.session.calls, "Moved")
    assert notice.chat_id == SHERNAYEV and "now 14:45, was 14:30" in notice.text
    assert "New place" in notice.text and "Institute of Production and Service" in notice.text


async def test_restart_sends_overdue_once_and_settles_interrupted(
    settings: Settings, clock: FakeClock
) -> None:
    app = await create_app(settings, session=RecordingSession(), clock=clock)
    await started(Chat(app, app.bot.session))  # type: ignore[arg-type]
    shernayev = await delegates.by_telegram_id(app.db, SHERNAYEV)
    assert shernayev is not None
    # A crash mid-send left a closing-plenary reminder 'sending'.
    crashed = deliveries.Item("reminder", "closing-plenary@X/60", shernayev.id, clock())
    [row_id] = await deliveries.record(app.db, [crashed], clock())
    assert row_id is not None and await deliveries.take(app.db, row_id)
    await app.stop()
    await app.close()

    async def run(at: datetime) -> RecordingSession:
        clock.now = at
        session = RecordingSession()
        again = await create_app(settings, session=session, clock=clock)
        await again.start()
        await notifier(again).idle()
        await again.stop()
        await again.close()
        return session

    # Down from 11:00 to 14:20 local: both the 60- and 15-minute reminders passed.
    first = await run(MOU_AT - timedelta(minutes=10))
    [late] = reminded(first.calls, MOU)
    assert late.chat_id == SHERNAYEV and "in 10 minutes" in late.text
    assert "r:mou-tut:y" in [d for _, d in late.buttons()]
    again = await run(MOU_AT - timedelta(minutes=5))
    assert reminded(again.calls, MOU) == []
    db = await open_db(settings.database_path)
    try:
        rows = {r.key: r.status for r in await deliveries.list_deliveries(db)}
    finally:
        await db.close()
    assert rows["mou-tut@2023-09-14T09:30:00Z/15"] == "sent"
    assert rows["mou-tut@2023-09-14T09:30:00Z/60"] == "skipped"
    assert rows["closing-plenary@X/60"] == "interrupted"


async def test_reminders_of_an_event_that_started_during_downtime_are_skipped(
    settings: Settings, clock: FakeClock
) -> None:
    app = await create_app(settings, session=RecordingSession(), clock=clock)
    await started(Chat(app, app.bot.session))  # type: ignore[arg-type]
    await app.stop()
    await app.close()
    clock.now = MOU_AT + timedelta(minutes=5)
    session = RecordingSession()
    again = await create_app(settings, session=session, clock=clock)
    try:
        await again.start()
        await notifier(again).idle()
        assert reminded(session.calls, MOU) == []
        rows = await deliveries.list_deliveries(again.db, kind="reminder")
        assert {r.status for r in rows if r.event_id == "mou-tut"} == {"skipped"}
        assert await get_event(again.db, "mou-tut") is not None
    finally:
        await again.stop()
        await again.close()


async def test_change_imported_but_not_announced_before_a_crash_is_announced_at_restart(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = await create_app(settings, session=RecordingSession(), clock=clock)
    await started(Chat(app, app.bot.session))  # type: ignore[arg-type]
    await app.stop()
    await app.close()
    # The forum file now moves the signing; the bot imports it at start and crashes before
    # App.start could queue the notices. The next start sees the same file: no report.
    moved = tmp_path / "moved.toml"
    moved.write_text(
        settings.forum_file.read_text(encoding="utf-8").replace(
            "starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:45:00", 1
        ),
        encoding="utf-8",
    )
    settings = dataclasses.replace(settings, forum_file=moved)
    crashed = await create_app(settings, session=RecordingSession(), clock=clock)
    assert crashed.import_report is not None and crashed.import_report.changed
    await crashed.close()

    for attempt in range(2):
        session = RecordingSession()
        again = await create_app(settings, session=session, clock=clock)
        assert again.import_report is None
        try:
            await again.start()
            await notifier(again).idle()
            await notifier(again).idle()
        finally:
            await again.stop()
            await again.close()
        notices = about(session.calls, "Moved")
        if attempt == 0:
            [notice] = notices
            assert notice.chat_id == SHERNAYEV and "now 14:45, was 14:30" in notice.text
        else:
            assert notices == []  # told once, whatever the number of restarts


async def test_change_back_before_it_is_announced_tells_nobody(
    chat: Chat, clock: FakeClock
) -> None:
    app = (await started(chat)).app
    later = MOU_AT + timedelta(hours=1)
    await reschedule_event(app.db, "mou-tut", later, later + timedelta(minutes=30), clock())
    change = await reschedule_event(
        app.db, "mou-tut", MOU_AT, MOU_AT + timedelta(minutes=30), clock()
    )
    assert change is not None
    await app.changes.apply([change])
    await notifier(app).idle()
    assert about(chat.session.calls, "Moved") == []


async def test_events_of_a_database_older_than_the_announced_state_count_as_told(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nPRAGMA user_version = 1;\nCOMMIT;")
    conn.execute(
        "INSERT INTO event (id, kind, title, starts_at, ends_at, venue_id, audience, status,"
        " scheduled_at, updated_at) VALUES ('mou', 'signing', '{\"en\": \"MoU\"}',"
        " '2023-09-14T09:30:00.000000Z', '2023-09-14T10:00:00.000000Z', 'tut', '[\"tict\"]',"
        " 'scheduled', '2023-09-01T00:00:00.000000Z', '2023-09-01T00:00:00.000000Z')"
    )
    conn.commit()
    conn.close()
    db = await open_db(path)
    try:
        row = await db.fetchone("SELECT * FROM event_announced WHERE event_id = 'mou'")
        assert row is not None
        assert (row["starts_at"], row["venue_id"], row["audience"], row["status"]) == (
            "2023-09-14T09:30:00.000000Z", "tut", '["tict"]', "scheduled",
        )  # fmt: skip
    finally:
        await db.close()


async def test_an_event_added_by_a_reimport_is_told_of_its_first_move(
    chat: Chat, clock: FakeClock, settings: Settings
) -> None:
    app = (await started(chat)).app
    text = settings.forum_file.read_text(encoding="utf-8")
    added = text.replace(
        '[[event]]\nid = "mou-tut"',
        '[[event]]\nid = "extra"\nkind = "lecture"\ntitle = { en = "Extra lecture" }\n'
        'starts = 2023-09-14T17:00:00\nends = 2023-09-14T18:00:00\n\n[[event]]\nid = "mou-tut"',
        1,
    )
    report = await import_forum_text(app.db, added, "added.toml", clock())
    assert report.added == ("extra",) and report.changed == ()
    await app.changes.apply(report.changed)
    later = datetime(2023, 9, 14, 13, 0, tzinfo=UTC)  # 18:00 local
    change = await reschedule_event(app.db, "extra", later, later + timedelta(hours=1), clock())
    assert change is not None
    await app.changes.apply([change])
    await notifier(app).idle()
    notices = about(chat.session.calls, "Moved: Extra lecture now 18:00, was 17:00")
    assert sorted(c.chat_id for c in notices) == [SHERNAYEV, HEAD, RECTOR]


def test_a_long_days_briefing_stays_one_message_within_telegrams_limit(app: App) -> None:
    from bot.views.notices import briefing_text
    from schedule.model import Event, Forum, Localized

    tz = ZoneInfo("Asia/Dushanbe")
    forum = Forum(name="F", city="Dushanbe", timezone=tz)
    events = [
        Event(
            id=f"e{n}",
            kind="lecture",
            title=Localized.plain(f"Lecture {n} <" + "x" * 150),
            starts=MOU_AT + timedelta(minutes=10 * n),
            ends=MOU_AT + timedelta(minutes=10 * n + 5),
            dress="Business formal " * 5,
        )
        for n in range(40)
    ]
    with app.i18n.context(), app.i18n.use_locale("en"):
        text = briefing_text(forum, MOU_AT.date(), events)
        short = briefing_text(forum, MOU_AT.date(), events[:2])
    assert len(text) <= 4096
    assert "Lecture 0 &lt;" in text and "Dress" not in text  # protocol lines go first
    shown = sum(f"Lecture {n} " in text for n in range(40))
    assert 0 < shown < 40 and f"… +{40 - shown} → /schedule" in text
    assert "Dress: Business formal" in short and "/schedule" not in short


async def test_reminders_double_tap_is_not_an_error(chat: Chat) -> None:
    await started(chat)
    shown: dict[object, str] = {}

    def not_modified(method: object) -> Exception | None:
        if type(method).__name__ != "EditMessageText":
            return None
        where, text = getattr(method, "message_id", None), str(getattr(method, "text", ""))
        if shown.get(where) == text:
            return TelegramBadRequest(method, "Bad Request: message is not modified")  # type: ignore[arg-type]
        shown[where] = text
        return None

    chat.session.fail = not_modified
    await chat.send(HEAD, "/reminders")
    off = RemindersCb(action="off").pack()
    await chat.press(HEAD, off)
    calls = await chat.press(HEAD, off)  # the second tap of a double tap
    answers = [str(c.params.get("text")) for c in calls if c.name == "AnswerCallbackQuery"]
    assert answers == ["Saved."]  # not followed by "Sorry, something went wrong"
    assert "Reminders are off" in chat.session.last_text(HEAD)


async def test_reinstated_event_gets_its_overdue_reminder_at_once(
    chat: Chat, clock: FakeClock
) -> None:
    app = (await started(chat)).app
    change = await set_event_status(app.db, "mou-tut", "cancelled", clock())
    assert change is not None
    await app.changes.apply([change])
    await notifier(app).idle()
    clock.now = MOU_AT - timedelta(minutes=10)  # both reminders fell due while it was off
    await notifier(app).run_due()
    chat.session.clear()
    change = await set_event_status(app.db, "mou-tut", "scheduled", clock())
    assert change is not None
    await app.changes.apply([change])
    await notifier(app).idle()
    [back] = about(chat.session.calls, "Back in the programme")
    [late] = reminded(chat.session.calls, MOU)
    assert back.chat_id == late.chat_id == SHERNAYEV and "in 10 minutes" in late.text
    chat.session.clear()
    await notifier(app).run_due()
    assert chat.session.calls == []


class _HangsAfter(RecordingSession):
    """Answers the first ``limit`` messages, then never answers: the process is about to die."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.answered = 0
        self.hanging = asyncio.Event()
        self.hung = 0

    async def make_request(self, bot, method, timeout=None):  # type: ignore[no-untyped-def]
        if type(method).__name__ == "SendMessage":
            if self.answered >= self.limit:
                self.hanging.set()
                self.hung += 1  # in flight, never to be answered
                await asyncio.Event().wait()
            self.answered += 1
        return await super().make_request(bot, method, timeout)


async def test_a_crash_mid_fan_out_leaves_only_the_requests_in_flight_in_doubt(
    settings: Settings, clock: FakeClock
) -> None:
    people = 100
    clock.now = MOU_AT - timedelta(minutes=60)
    session = _HangsAfter(limit=20)
    app = await create_app(settings, session=session, clock=clock)
    for n in range(people):
        code = f"tict-{n}"
        await delegates.create_invited(app.db, f"Engineer {n}", code, group="tict")
        await delegates.register_with_code(app.db, code, 5000 + n, clock(), language="en")
    run = asyncio.ensure_future(notifier(app).run_due())
    await asyncio.wait_for(session.hanging.wait(), timeout=30)
    await asyncio.sleep(0.2)  # more requests go in flight, never to be answered
    # The crash: nothing is settled, the connection just goes away.
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)
    await app.sender.close(timeout=0.1)
    await app.db.close()
    await app.bot.session.close()
    assert app.lock is not None
    app.lock.release()  # the kernel lets go of a crashed process's lock

    second = RecordingSession()
    again = await create_app(settings, session=second, clock=clock)
    await again.start()
    await notifier(again).idle()
    await again.stop()
    rows = [r for r in await deliveries.list_deliveries(again.db) if r.kind == "reminder"]
    await again.close()

    first_people = {c.chat_id for c in reminded(session.calls, MOU)[:20]}
    second_people = {c.chat_id for c in reminded(second.calls, MOU)}
    assert not first_people & second_people  # nobody twice
    interrupted = [r for r in rows if r.status == "interrupted"]
    # Marked 'sending' only while its request is in flight: those that hung, no more.
    assert 0 < len(interrupted) <= session.hung
    assert len(first_people) + len(second_people) + len(interrupted) == people


async def test_a_late_reminder_asks_to_be_seated_now_not_by_a_past_time(
    chat: Chat, clock: FakeClock
) -> None:
    await started(chat)
    clock.now = MOU_AT - timedelta(minutes=15)  # the MoU asks to be seated by 14:10
    await notifier(chat.app).run_due()
    [reminder] = reminded(chat.session.calls, MOU)
    assert "Please take your seat now" in reminder.text
    assert "Be seated by" not in reminder.text
