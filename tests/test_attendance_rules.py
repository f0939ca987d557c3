"""Attendance rules as plain functions: the check-in window, RSVP deadline, audience,
overlapping events, roll-call groups; the CSV export round-trips through the csv module."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from schedule.attendance import (
    CHECK_IN_OPENS,
    AttendanceRecord,
    check_in_open,
    check_in_refusal,
    next_check_in,
    open_for_check_in,
    roll_call,
    rsvp_open,
    rsvp_refusal,
)
from schedule.attendance_csv import HEADER, attendance_csv
from schedule.model import Delegate, Event, Forum, Group, Localized
from schedule.rules import Viewer

T0 = datetime(2023, 9, 14, 9, 30, tzinfo=UTC)  # 14:30 in Dushanbe
TZ = ZoneInfo("Asia/Dushanbe")
SECOND = timedelta(seconds=1)


def event(
    event_id: str = "mou",
    starts: datetime = T0,
    minutes: int = 30,
    audience: tuple[str, ...] | None = ("tict",),
    status: str = "scheduled",
    title: str = "Memorandum",
) -> Event:
    return Event(
        id=event_id,
        kind="signing",
        title=Localized.plain(title),
        starts=starts,
        ends=starts + timedelta(minutes=minutes),
        audience=audience,
        status=status,  # type: ignore[arg-type]
    )


def delegate(
    delegate_id: int, name: str, group: str | None = "tict", active: bool = True
) -> Delegate:
    return Delegate(
        id=delegate_id,
        name=name,
        position="Rector",
        group=group,
        role="member",
        code=None,
        source="file",
        telegram_id=None,
        language=None,
        reminders_on=True,
        reminder_offsets=None,
        registered_at=None,
        active=active,
    )


def test_check_in_window_edges() -> None:
    e = event()
    assert not check_in_open(e, T0 - CHECK_IN_OPENS - SECOND)
    assert check_in_open(e, T0 - CHECK_IN_OPENS)
    assert check_in_open(e, T0)
    assert check_in_open(e, e.ends - SECOND)
    assert not check_in_open(e, e.ends)


def test_the_open_events_of_an_agenda_follow_the_window_of_each_to_the_second() -> None:
    events = [event(), event("gone", status="cancelled"), event("other", audience=("osh",))]
    edges = (T0 - CHECK_IN_OPENS, T0, events[0].ends)
    for moment in (edge + step * SECOND for edge in edges for step in (-1, 0, 1)):
        expected = [e for e in events[:1] if check_in_open(e, moment)]
        assert open_for_check_in(events, Viewer("tict"), moment) == expected, moment


def test_cancelled_and_removed_events_take_no_check_in_or_answer() -> None:
    for status in ("cancelled", "removed"):
        e = event(status=status)
        assert not check_in_open(e, T0)
        assert not rsvp_open(e, T0 - timedelta(hours=1))
        assert check_in_refusal(e, Viewer("tict"), T0) == "unknown"


def test_rsvp_open_until_the_start() -> None:
    e = event()
    assert rsvp_open(e, T0 - timedelta(days=3))
    assert rsvp_open(e, T0 - SECOND)
    assert not rsvp_open(e, T0)
    assert rsvp_refusal(e, Viewer("tict"), T0) == "closed"
    assert rsvp_refusal(e, Viewer("tict"), T0 - SECOND) is None


def test_audience_decides_who_may_check_in() -> None:
    e = event(audience=("tict",))
    assert check_in_refusal(e, Viewer("tict"), T0) is None
    assert check_in_refusal(e, Viewer("other"), T0) == "audience"
    assert check_in_refusal(e, Viewer(None), T0) == "audience"
    assert check_in_refusal(event(audience=None), Viewer(None), T0) is None
    assert check_in_refusal(None, Viewer("tict"), T0) == "unknown"
    assert check_in_refusal(e, Viewer("tict"), T0 + timedelta(hours=1)) == "closed"
    assert open_for_check_in([e], Viewer("other"), T0) == []


def test_overlapping_windows_give_both_events_in_order() -> None:
    signing = event("mou", T0, 30)
    visit = event("visit", T0 + timedelta(minutes=30), 120)
    later = event("later", T0 + timedelta(hours=3), 60)
    now = T0 + timedelta(minutes=10)  # the signing runs, the visit's check-in has opened
    assert [e.id for e in open_for_check_in([later, visit, signing], Viewer("tict"), now)] == [
        "mou",
        "visit",
    ]
    assert [e.id for e in open_for_check_in([visit, signing], Viewer("tict"), T0 - SECOND)] == [
        "mou"
    ]
    assert next_check_in([later, visit, signing], Viewer("tict"), now) == later
    assert next_check_in([signing], Viewer("tict"), now) is None


def test_roll_call_groups_and_counts() -> None:
    e = event()
    people = [
        delegate(1, "Zafar"),
        delegate(2, "Aziza"),
        delegate(3, "Bobur"),
        delegate(4, "Dilnoza"),
        delegate(5, "Outsider", group="other"),
        delegate(6, "Gone", active=False),
    ]
    records = [
        AttendanceRecord("mou", 1, rsvp="yes", checked_in_at=T0),
        AttendanceRecord("mou", 2, rsvp="yes"),
        AttendanceRecord("mou", 3, rsvp="no"),
        AttendanceRecord("other-event", 4, rsvp="yes"),
    ]
    call = roll_call(e, people, records)
    assert [x.delegate.name for x in call.present] == ["Zafar"]
    assert [x.delegate.name for x in call.expected] == ["Aziza"]
    assert [x.delegate.name for x in call.declined] == ["Bobur"]
    assert [x.delegate.name for x in call.no_answer] == ["Dilnoza"]
    assert call.counts == {"present": 1, "expected": 1, "declined": 1, "no_answer": 1}


def test_marks_and_check_ins_latest_evidence_wins() -> None:
    later = T0 + timedelta(minutes=5)
    assert AttendanceRecord("e", 1, present=True, marked_by=900, marked_at=T0).is_present
    absent_after = AttendanceRecord(
        "e", 1, checked_in_at=T0, present=False, marked_by=900, marked_at=later
    )
    assert not absent_after.is_present and absent_after.present_since is None
    came_after = AttendanceRecord(
        "e", 1, checked_in_at=later, present=False, marked_by=900, marked_at=T0
    )
    assert came_after.is_present and came_after.present_since == later
    # A declined delegate who turns up is present, not declined.
    call = roll_call(event(), [delegate(1, "A")], [AttendanceRecord("mou", 1, "no", None, T0)])
    assert len(call.present) == 1 and not call.declined


def test_csv_round_trips_cyrillic_uzbek_apostrophes_and_commas() -> None:
    names = ["Анвар Нормаматович Шерназаров", "Oʻtkir Gʻulomov", 'Smith, John "Jr."']
    people = [delegate(i + 1, n) for i, n in enumerate(names)]
    forum = Forum(
        name="Forum",
        city="Dushanbe",
        timezone=TZ,
        groups=(Group("tict", "Toshkent kimyo-texnologiya instituti, TKTI"),),
    )
    e = event(title="Меморандум, signing")
    records = [
        AttendanceRecord("mou", 1, rsvp="yes", checked_in_at=T0),
        AttendanceRecord("mou", 2, present=True, marked_by=900, marked_at=T0),
        AttendanceRecord("mou", 3, rsvp="no"),
    ]
    data = attendance_csv(forum, [roll_call(e, people, records)])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == HEADER
    by_name = {row[3]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == set(names)
    first = by_name[names[0]]
    assert first["event id"] == "mou" and first["title"] == "Меморандум, signing"
    assert first["start"] == "2023-09-14T14:30+05:00"
    assert first["group"] == "Toshkent kimyo-texnologiya instituti, TKTI"
    assert first["RSVP"] == "yes" and first["checked in at"] == "2023-09-14T14:30+05:00"
    assert first["present"] == "yes" and first["marked by"] == ""
    second = by_name[names[1]]
    assert second["present"] == "yes" and second["marked by"] == "900"
    assert second["checked in at"] == ""
    third = by_name[names[2]]
    assert third["RSVP"] == "no" and third["present"] == ""
