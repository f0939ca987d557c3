"""The planning rules of reminders, briefings and notices, with explicit clocks."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedule.briefings import briefing_due_at, due_briefings, planned_briefings
from schedule.model import Delegate, Event, Localized
from schedule.reminders import (
    Announced,
    due_reminders,
    notice_facts,
    notice_key,
    notice_recipients,
    planned_reminders,
    reminder_key,
    unannounced,
)

DUSHANBE = ZoneInfo("Asia/Dushanbe")  # UTC+5
OFFSETS = (60.0, 15.0)
T0 = datetime(2023, 9, 14, 4, 0, tzinfo=UTC)  # 09:00 in Dushanbe


def event(starts: datetime, **kw: object) -> Event:
    values: dict[str, object] = {
        "id": "mou",
        "kind": "signing",
        "title": Localized.plain("MoU"),
        "starts": starts,
        "ends": starts + timedelta(minutes=30),
        "remind": True,
        "audience": ("tict",),
    }
    values.update(kw)
    return Event(**values)  # type: ignore[arg-type]


def delegate(id_: int, **kw: object) -> Delegate:
    values: dict[str, object] = {
        "id": id_,
        "name": f"D{id_}",
        "position": "",
        "group": "tict",
        "role": "member",
        "code": f"c{id_}",
        "source": "file",
        "telegram_id": 1000 + id_,
        "language": "en",
        "reminders_on": True,
        "reminder_offsets": None,
        "registered_at": T0 - timedelta(days=1),  # before the forum's first 08:00
    }
    values.update(kw)
    return Delegate(**values)  # type: ignore[arg-type]


def plan(events: list[Event], people: list[Delegate], since: datetime = T0) -> list:  # type: ignore[type-arg]
    return planned_reminders(events, people, OFFSETS, {e.id: since for e in events})


def test_each_offset_planned_for_each_audience_member() -> None:
    start = T0 + timedelta(hours=3)
    planned = plan([event(start)], [delegate(1), delegate(2)])
    assert {(p.delegate_id, p.offset, p.due_at) for p in planned} == {
        (1, 60.0, start - timedelta(minutes=60)),
        (1, 15.0, start - timedelta(minutes=15)),
        (2, 60.0, start - timedelta(minutes=60)),
        (2, 15.0, start - timedelta(minutes=15)),
    }
    assert [p.first for p in planned if p.delegate_id == 1] == [True, False]
    assert planned[0].key == "mou@2023-09-14T07:00:00Z/60"


def test_outsiders_reminders_off_unregistered_blocked_inactive_get_nothing() -> None:
    start = T0 + timedelta(hours=3)
    people = [
        delegate(1, group=None),  # outside the audience
        delegate(2, reminders_on=False),
        delegate(3, telegram_id=None),
        delegate(4, blocked_at=T0),
        delegate(5, active=False),
        delegate(6, reminder_offsets=(15.0,)),
    ]
    planned = plan([event(start)], people)
    assert [(p.delegate_id, p.offset) for p in planned] == [(6, 15.0)]
    # The whole delegation (no audience) includes those without a group.
    planned = plan([event(start, audience=None)], [delegate(1, group=None)])
    assert len(planned) == 2


def test_no_reminders_for_cancelled_or_unreminded_events() -> None:
    start = T0 + timedelta(hours=3)
    assert plan([event(start, status="cancelled")], [delegate(1)]) == []
    assert plan([event(start, remind=False)], [delegate(1)]) == []


def test_due_at_the_instant_and_not_before() -> None:
    start = T0 + timedelta(hours=3)
    planned = plan([event(start)], [delegate(1)])
    due = start - timedelta(minutes=60)
    assert due_reminders(due - timedelta(seconds=1), planned, set()) == []
    [decision] = due_reminders(due, planned, set())
    assert decision.action == "send" and decision.reminder.offset == 60 and not decision.late
    # Once handled it is never due again.
    assert due_reminders(due, planned, {(decision.reminder.key, 1)}) == []


def test_after_downtime_only_the_smallest_overdue_offset_is_sent_late() -> None:
    start = T0 + timedelta(hours=3)
    planned = plan([event(start)], [delegate(1)])
    now = start - timedelta(minutes=10)  # both 60 and 15 passed while the bot was down
    decisions = due_reminders(now, planned, set())
    sends = [d for d in decisions if d.action == "send"]
    skips = [d for d in decisions if d.action == "skip"]
    assert [(d.reminder.offset, d.late, d.reminder.first) for d in sends] == [(15.0, True, True)]
    assert [d.reminder.offset for d in skips] == [60.0]


def test_reminders_of_a_started_event_are_skipped() -> None:
    start = T0 + timedelta(hours=3)
    planned = plan([event(start)], [delegate(1)])
    decisions = due_reminders(start + timedelta(minutes=1), planned, set())
    assert {d.action for d in decisions} == {"skip"} and len(decisions) == 2


def test_move_gives_new_keys_and_supersedes_reminders_due_before_the_move() -> None:
    start = T0 + timedelta(hours=3)  # 12:00 local
    old = plan([event(start)], [delegate(1)])
    sent_60 = {(old[0].key, 1)}  # the 60-minute reminder went out at 11:00
    moved_at = start - timedelta(minutes=50)  # at 11:10 the signing moves to 11:40
    moved = event(start - timedelta(minutes=20))
    new = plan([moved], [delegate(1)], since=moved_at)
    # The new 60-minute one (due 10:40) is superseded by the notice; the 15-minute one stays.
    assert [(p.offset, p.first) for p in new] == [(15.0, True)]
    assert new[0].key != old[1].key
    decisions = due_reminders(moved.starts - timedelta(minutes=15), new, sent_60)
    assert [(d.action, d.reminder.offset) for d in decisions] == [("send", 15.0)]


def test_move_later_sends_the_new_times_reminders_again() -> None:
    start = T0 + timedelta(hours=3)
    old = plan([event(start)], [delegate(1)])
    handled = {(old[0].key, 1)}
    later = event(start + timedelta(hours=3))
    new = plan([later], [delegate(1)], since=start - timedelta(minutes=50))
    decisions = due_reminders(later.starts - timedelta(minutes=60), new, handled)
    assert [(d.action, d.reminder.offset) for d in decisions] == [("send", 60.0)]


def test_move_across_midnight_keeps_utc_keys_and_briefing_day() -> None:
    # 23:50 local on 14 Sep moves to 00:20 local on 15 Sep (19:20 UTC on 14 Sep).
    before = event(datetime(2023, 9, 14, 18, 50, tzinfo=UTC))
    after = event(datetime(2023, 9, 14, 19, 20, tzinfo=UTC))
    assert reminder_key(after.id, after.starts, 15) == "mou@2023-09-14T19:20:00Z/15"
    briefings = planned_briefings([after], [delegate(1)], DUSHANBE)
    assert [(b.day, b.due_at) for b in briefings] == [
        (date(2023, 9, 15), datetime(2023, 9, 15, 3, 0, tzinfo=UTC))
    ]
    assert [b.day for b in planned_briefings([before], [delegate(1)], DUSHANBE)] == [
        date(2023, 9, 14)
    ]
    facts = notice_facts(notice_key(before, after, "v1"))
    assert facts.moved and facts.after_starts == after.starts and not facts.new_venue


@pytest.fixture
def machine_in_new_york() -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("machine_in_new_york")
def test_briefing_is_at_eight_forum_time_whatever_the_machines_zone() -> None:
    assert time.localtime(0).tm_hour == 19  # the machine really is in New York now
    assert briefing_due_at(date(2023, 9, 14), DUSHANBE) == datetime(2023, 9, 14, 3, 0, tzinfo=UTC)
    start = T0 + timedelta(hours=3)
    planned = planned_briefings([event(start)], [delegate(1)], DUSHANBE)
    at_eight = datetime(2023, 9, 14, 3, 0, tzinfo=UTC)
    assert due_briefings(at_eight - timedelta(seconds=1), planned, set(), DUSHANBE) == ([], [])
    send, skip = due_briefings(at_eight, planned, set(), DUSHANBE)
    assert [b.key for b in send] == ["2023-09-14"] and skip == []
    # Missed while down: still sent that forum day, skipped the next.
    late_evening = datetime(2023, 9, 14, 18, 0, tzinfo=UTC)  # 23:00 local
    assert len(due_briefings(late_evening, planned, set(), DUSHANBE)[0]) == 1
    next_day = datetime(2023, 9, 14, 19, 30, tzinfo=UTC)  # 00:30 local on 15 Sep
    assert due_briefings(next_day, planned, set(), DUSHANBE) == ([], planned)
    assert due_briefings(at_eight, planned, {("2023-09-14", 1)}, DUSHANBE) == ([], [])


def test_briefing_only_for_reminders_on_and_days_with_their_events() -> None:
    day1 = event(T0 + timedelta(hours=3))
    day2 = event(T0 + timedelta(days=1), id="all", audience=None)
    people = [delegate(1), delegate(2, group=None), delegate(3, reminders_on=False)]
    planned = planned_briefings([day1, day2], people, DUSHANBE)
    assert sorted((b.delegate_id, b.key) for b in planned) == [
        (1, "2023-09-14"),
        (1, "2023-09-15"),
        (2, "2023-09-15"),
    ]


def test_notices_reach_the_audience_before_or_after_even_with_reminders_off() -> None:
    before = event(T0, audience=("tict",))
    after = event(T0, audience=("tict",), status="cancelled")
    people = [
        delegate(1, reminders_on=False),
        delegate(2, group="other"),
        delegate(3, blocked_at=T0),
    ]
    assert [d.id for d in notice_recipients(before, after, people)] == [1]
    assert notice_key(before, after, "a") != notice_key(before, after, "b")


def test_unannounced_changes_compare_with_what_the_audience_last_knew() -> None:
    start = T0 + timedelta(hours=3)
    told = event(start)
    known = {"mou": Announced.of(told)}
    # Nothing changed, or only what notices do not speak of: nothing to record or tell.
    assert unannounced([told], known, T0) == ([], [])
    longer = event(start, ends=start + timedelta(hours=1))
    assert unannounced([longer], known, T0) == ([longer], [])
    # A new event is recorded silently.
    other = event(start, id="other")
    assert unannounced([other], known, T0) == ([other], [])
    # Two moves nobody heard of are one notice, from what they knew to what is now.
    twice = event(start + timedelta(hours=2))
    record, tell = unannounced([twice], known, T0)
    assert record == [twice] and tell == [(told, twice)]
    # A move and a move back: nothing to tell.
    assert unannounced([told], {"mou": Announced.of(twice)}, T0)[1] == [(twice, told)]
    assert unannounced([told], known, T0) == ([], [])
    # Over already, or off and still off: recorded, not told.
    assert unannounced([twice], known, start + timedelta(hours=3)) == ([twice], [])
    off = event(start, status="cancelled")
    removed = event(start, status="removed")
    assert unannounced([removed], {"mou": Announced.of(off)}, T0) == ([removed], [])
    # Cancelled: told, to the audience it had.
    assert unannounced([off], known, T0) == ([off], [(told, off)])


def test_a_shift_of_seconds_is_recorded_but_not_told() -> None:
    start = T0 + timedelta(hours=3)
    told = event(start)
    nudged = event(start + timedelta(seconds=30), ends=start + timedelta(hours=2, seconds=30))
    assert unannounced([nudged], {"mou": Announced.of(told)}, T0) == ([nudged], [])
    a_minute = event(start + timedelta(minutes=1))
    assert unannounced([a_minute], {"mou": Announced.of(told)}, T0)[1] == [(told, a_minute)]


def test_no_good_morning_for_a_day_that_began_before_the_delegate_registered() -> None:
    day1 = event(T0 + timedelta(hours=3))  # 14 Sep
    day2 = event(T0 + timedelta(days=1), id="next")  # 15 Sep
    late = delegate(1, registered_at=datetime(2023, 9, 14, 12, 0, tzinfo=UTC))  # 17:00 local
    early = delegate(2, registered_at=datetime(2023, 9, 14, 2, 59, tzinfo=UTC))  # 07:59 local
    planned = planned_briefings([day1, day2], [late, early], DUSHANBE)
    assert sorted((b.delegate_id, b.key) for b in planned) == [
        (1, "2023-09-15"),
        (2, "2023-09-14"),
        (2, "2023-09-15"),
    ]


# ---------------------------------------------------------------- retry windows


def test_a_reminder_is_tried_again_until_a_minute_before_its_event() -> None:
    from schedule.reminders import reminder_retry_until

    starts = datetime(2023, 9, 14, 9, 30, tzinfo=UTC)
    assert reminder_retry_until(starts, starts - timedelta(minutes=60)) == starts - timedelta(
        minutes=1
    )
    # Due only a minute before: it may still go in the first half of that minute.
    assert reminder_retry_until(starts, starts - timedelta(minutes=1)) == starts - timedelta(
        seconds=30
    )


def test_a_notice_until_its_event_ends_and_a_briefing_until_its_day_is_over() -> None:
    from schedule.briefings import briefing_retry_until
    from schedule.model import Event
    from schedule.reminders import notice_retry_until

    tz = ZoneInfo("Asia/Dushanbe")
    event = Event(
        id="e", kind="signing", title=Localized({"en": "E"}),
        starts=datetime(2023, 9, 14, 9, 30, tzinfo=UTC),
        ends=datetime(2023, 9, 14, 10, 30, tzinfo=UTC),
    )  # fmt: skip
    assert notice_retry_until(event) == event.ends
    # The end of 14 September in Dushanbe (UTC+5) is 19:00 UTC.
    assert briefing_retry_until(date(2023, 9, 14), tz) == datetime(
        2023, 9, 14, 19, 0, tzinfo=UTC
    )
