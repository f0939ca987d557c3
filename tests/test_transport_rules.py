"""Logistics rules as plain functions with explicit clocks: who a departure is for, the
next departures, the merged agenda, departure reminders after a move, change notices and
"I'm running late" once per departure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedule.departures import (
    AnnouncedDeparture,
    departure_due_instants,
    departure_notice_facts,
    departure_notice_key,
    departure_notice_recipients,
    departure_reminder_key,
    due_departure_reminders,
    is_departure_key,
    late_alert_recipients,
    planned_departure_reminders,
    running_late,
    unannounced_departures,
)
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import Contact, Delegate, Event, Localized, Transport
from schedule.reminders import notice_key
from schedule.transport import (
    Rider,
    agenda_days,
    agenda_on,
    contacts_for,
    departures_for,
    merged_agenda,
    next_departures,
    next_item,
    transports_to,
)

TZ = ZoneInfo("Asia/Dushanbe")  # UTC+5


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 9, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def bus(ident: str = "bus", departs: datetime | None = None, **kw: object) -> Transport:
    values: dict[str, object] = {
        "id": ident,
        "kind": "bus",
        "departs": departs or local(14, 9, 15),
        "origin": "hotel",
        "destination": "hall",
    }
    values.update(kw)
    return Transport(**values)  # type: ignore[arg-type]


def person(
    ident: int, group: str | None = "tict", code: str | None = None, **kw: object
) -> Delegate:
    values: dict[str, object] = {
        "id": ident,
        "name": f"D{ident}",
        "position": "",
        "group": group,
        "role": "member",
        "code": code or f"code-{ident}",
        "source": "file",
        "telegram_id": 1000 + ident,
        "language": "en",
        "reminders_on": True,
        "reminder_offsets": None,
        "registered_at": local(13, 12),
    }
    values.update(kw)
    return Delegate(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- who it is for


def test_a_departure_without_for_takes_everyone() -> None:
    assert departures_for([bus()], Rider(group=None, code="x")) == [bus()]


def test_for_names_groups_and_delegate_codes() -> None:
    group_bus = bus("g", audience=("tict",))
    own_car = bus("c", audience=("head-Zq4vN8rT2m",))
    member = Rider(group="tict", code="tict-Hq7mX2vL9p")
    head = Rider(group=None, code="head-Zq4vN8rT2m")
    stranger_group = Rider(group="other", code="someone")
    assert departures_for([group_bus, own_car], member) == [group_bus]
    assert departures_for([group_bus, own_car], head) == [own_car]
    assert departures_for([group_bus, own_car], stranger_group) == []
    assert departures_for([group_bus, own_car], Rider(organiser=True)) == [own_car, group_bus]


def test_departures_for_leaves_out_cancelled_and_orders_by_time() -> None:
    late = bus("late", local(14, 17))
    early = bus("early", local(14, 8))
    off = bus("off", local(14, 10), status="cancelled")
    assert departures_for([late, off, early], Rider()) == [early, late]


def test_contacts_for_keeps_the_files_order() -> None:
    everyone = Contact("protocol", "P", phone="+998 90 000 0000")
    tict = Contact("interpreter", "I", telegram="interp", audience=("tict",))
    head = Contact("embassy", "E", phone="+992 37 000 0000", audience=("head-Zq4vN8rT2m",))
    contacts = [everyone, tict, head]
    assert contacts_for(contacts, Rider(group="tict", code="a")) == [everyone, tict]
    assert contacts_for(contacts, Rider(code="head-Zq4vN8rT2m")) == [everyone, head]
    assert contacts_for(contacts, Rider(organiser=True)) == contacts


# ---------------------------------------------------------------- next departures


def test_next_departures_today_then_tomorrow() -> None:
    gone = bus("gone", local(14, 9))
    noon = bus("noon", local(14, 12))
    evening = bus("evening", local(14, 17))
    tomorrow = bus("tomorrow", local(15, 9))
    later = bus("later", local(16, 7, 30))
    now = local(14, 11)
    shown = next_departures([later, tomorrow, evening, noon, gone], now, TZ)
    assert shown.today == (noon, evening)
    assert shown.later == (tomorrow,) and shown.later_day == date(2023, 9, 15)


def test_next_departures_late_in_the_evening_shows_tomorrow_only() -> None:
    shown = next_departures([bus("a", local(14, 9)), bus("b", local(15, 9))], local(14, 23), TZ)
    assert shown.today == () and [t.id for t in shown.later] == ["b"]


def test_next_departures_before_the_forum_shows_the_first_day_with_any() -> None:
    shown = next_departures([bus("a", local(14, 9))], local(10, 12), TZ)
    assert shown.today == () and shown.later_day == date(2023, 9, 14)


def test_next_departures_after_the_last_is_empty() -> None:
    assert next_departures([bus("a", local(14, 9))], local(14, 9, 1), TZ).is_empty


def test_local_midnight_decides_the_day_not_utc() -> None:
    # 01:00 on the 15th in Dushanbe is still the 14th in UTC.
    night = bus("night", local(15, 1))
    shown = next_departures([night], local(14, 23), TZ)
    assert shown.today == () and shown.later_day == date(2023, 9, 15)


# ---------------------------------------------------------------- the merged agenda


def event(ident: str, starts: datetime) -> Event:
    return Event(ident, "plenary", Localized.plain(ident), starts, starts + timedelta(hours=1))


def test_merged_agenda_in_time_order_departure_before_its_event() -> None:
    opening = event("opening", local(14, 10))
    to_opening = bus("to-opening", local(14, 9, 30), event="opening")
    same_time = bus("same", local(14, 10))
    back = bus("back", local(14, 12))
    items = merged_agenda([opening], [back, same_time, to_opening])
    assert [i.id for i in items] == ["to-opening", "same", "opening", "back"]
    assert items[2].event is opening and items[0].transport is to_opening


def test_agenda_days_include_a_transfer_the_day_before() -> None:
    items = merged_agenda([event("opening", local(14, 10))], [bus("arrival", local(13, 19))])
    assert agenda_days(items, TZ) == [date(2023, 9, 13), date(2023, 9, 14)]
    assert [i.id for i in agenda_on(items, date(2023, 9, 13), TZ)] == ["arrival"]


def test_next_item_considers_departures() -> None:
    items = merged_agenda([event("opening", local(14, 10))], [bus("to", local(14, 9, 30))])
    nxt = next_item(items, local(14, 9))
    assert nxt is not None and nxt.id == "to"
    after = next_item(items, local(14, 9, 30))
    assert after is not None and after.id == "opening"
    assert next_item(items, local(14, 10)) is None


def test_transports_to_an_event() -> None:
    opening = event("opening", local(14, 10))
    to_it = bus("to", event="opening")
    assert transports_to(opening, [to_it, bus("other")]) == [to_it]


def test_the_sample_takes_tict_to_its_signing() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    mou = next(e for e in forum.events if e.id == "mou-tut")
    member = departures_for(forum.transports, Rider(group="tict", code="tict-Hq7mX2vL9p"))
    head = departures_for(forum.transports, Rider(group=None, code="head-Zq4vN8rT2m"))
    assert [t.id for t in transports_to(mou, member)] == ["car-14-tut"]
    assert transports_to(mou, head) == []
    assert "car-14-head" in {t.id for t in head} and "car-14-head" not in {t.id for t in member}


# ---------------------------------------------------------------- departure reminders


def test_one_reminder_per_rider_minutes_before() -> None:
    t = bus(audience=("tict",))
    people = [person(1), person(2, group="other"), person(3, reminders_on=False),
              person(4, telegram_id=None), person(5, blocked_at=local(13, 1))]  # fmt: skip
    planned = planned_departure_reminders([t], people, 15, {})
    assert [(p.delegate_id, p.due_at) for p in planned] == [(1, local(14, 9))]
    assert planned[0].key == departure_reminder_key("bus", t.departs, 15)
    assert is_departure_key(planned[0].key)


def test_cancelled_departure_has_no_reminder() -> None:
    assert planned_departure_reminders([bus(status="cancelled")], [person(1)], 15, {}) == []


def test_due_reminder_sent_once_then_handled() -> None:
    planned = planned_departure_reminders([bus()], [person(1)], 15, {})
    assert due_departure_reminders(local(14, 8, 59), planned, set()) == []
    (due,) = due_departure_reminders(local(14, 9), planned, set())
    assert due.action == "send" and not due.late
    assert due_departure_reminders(local(14, 9, 1), planned, {(due.planned.key, 1)}) == []


def test_reminder_after_a_restart_is_late_but_sent_before_it_leaves() -> None:
    planned = planned_departure_reminders([bus()], [person(1)], 15, {})
    (due,) = due_departure_reminders(local(14, 9, 10), planned, set())
    assert due.action == "send" and due.late
    (gone,) = due_departure_reminders(local(14, 9, 15), planned, set())
    assert gone.action == "skip" and gone.reason == "the transport has left"


def test_reminder_plan_after_a_move() -> None:
    """Moved later at 09:05: the 09:00 reminder was sent; the new time gets its own."""
    before = bus()
    sent = planned_departure_reminders([before], [person(1)], 15, {})
    handled = {(sent[0].key, 1)}
    after = replace(before, departs=local(14, 9, 45))
    moved_at = {"bus": local(14, 9, 5)}
    planned = planned_departure_reminders([after], [person(1)], 15, moved_at)
    assert [p.due_at for p in planned] == [local(14, 9, 30)]
    assert due_departure_reminders(local(14, 9, 10), planned, handled) == []
    (due,) = due_departure_reminders(local(14, 9, 30), planned, handled)
    assert due.action == "send" and due.planned.departs == after.departs


def test_reminder_of_a_move_to_sooner_is_superseded_by_the_notice() -> None:
    """Moved at 09:00 to 09:10: the 08:55 reminder would be news from the past."""
    after = bus(departs=local(14, 9, 10))
    planned = planned_departure_reminders([after], [person(1)], 15, {"bus": local(14, 9)})
    assert planned == []


def test_due_instants_for_the_scheduler() -> None:
    ts = [bus("a", local(14, 9, 15)), bus("b", local(14, 9, 15)), bus("c", local(14, 8)),
          bus("d", local(14, 12), status="cancelled")]  # fmt: skip
    assert departure_due_instants(ts, 15, local(14, 8)) == [local(14, 9)]


# ---------------------------------------------------------------- change notices


def test_new_departure_is_recorded_silently() -> None:
    record, tell = unannounced_departures([bus()], {}, local(14, 6))
    assert record == [bus()] and tell == []


@pytest.mark.parametrize(
    "change",
    [
        {"departs": local(14, 9, 45)},
        {"meeting_point": Localized.plain("Back entrance")},
        {"origin": "hall", "destination": "hotel"},
        {"status": "cancelled"},
    ],
)
def test_time_place_or_cancellation_is_told(change: dict[str, object]) -> None:
    before = bus(meeting_point=Localized.plain("Lobby"))
    after = replace(before, **change)
    known = {"bus": AnnouncedDeparture.of(before)}
    record, tell = unannounced_departures([after], known, local(14, 6))
    assert record == [after]
    ((told_before, told_after),) = tell
    assert told_after == after
    assert AnnouncedDeparture.of(told_before) == AnnouncedDeparture.of(before)


def test_vehicle_or_seconds_are_not_news() -> None:
    before = bus(vehicle="White bus")
    known = {"bus": AnnouncedDeparture.of(before)}
    for after in (replace(before, vehicle="Blue bus"),
                  replace(before, departs=before.departs + timedelta(seconds=20))):  # fmt: skip
        _, tell = unannounced_departures([after], known, local(14, 6))
        assert tell == []


def test_change_to_a_departure_that_has_left_is_not_told() -> None:
    before = bus()
    after = replace(before, status="cancelled")
    _, tell = unannounced_departures([after], {"bus": AnnouncedDeparture.of(before)}, local(14, 10))
    assert tell == []


def test_notice_reaches_riders_before_and_after() -> None:
    before = bus(audience=("tict",))
    after = replace(before, audience=("head-Zq4vN8rT2m",), departs=local(14, 10))
    people = [person(1), person(2, group=None, code="head-Zq4vN8rT2m"), person(3, group="x"),
              person(4, reminders_on=False)]  # fmt: skip
    got = departure_notice_recipients(before, after, people)
    assert [d.id for d in got] == [1, 2, 4]


def test_notice_key_round_trip_and_never_an_event_key() -> None:
    before = bus(meeting_point=Localized.plain("Lobby"))
    after = replace(before, departs=local(14, 9, 45))
    key = departure_notice_key(before, after, "v1")
    facts = departure_notice_facts(key)
    assert facts.transport_id == "bus" and facts.moved and not facts.new_place
    assert facts.after_departs == after.departs and facts.before_status == "scheduled"
    moved_point = departure_notice_facts(
        departure_notice_key(before, replace(before, meeting_point=Localized.plain("Gate")), "v2")
    )
    assert moved_point.new_place and not moved_point.moved
    opening = event("bus", local(14, 10))
    assert not is_departure_key(notice_key(opening, opening, "v1"))
    with pytest.raises(ValueError):
        departure_notice_facts(notice_key(opening, opening, "v1"))


# ---------------------------------------------------------------- running late


def test_running_late_alerts_once_per_departure() -> None:
    t = bus(audience=("tict",))
    me = person(1)
    assert running_late(t, me, local(14, 9, 10), already=False) == "alert"
    assert running_late(t, me, local(14, 9, 12), already=True) == "again"
    assert running_late(t, me, local(14, 9, 44), already=False) == "alert"  # within 30 min
    assert running_late(t, me, local(14, 9, 46), already=False) == "left"
    assert running_late(replace(t, status="cancelled"), me, local(14, 9), already=False) == (
        "cancelled"
    )
    assert running_late(t, person(2, group="other"), local(14, 9), already=False) == "not_yours"


def test_late_alert_goes_to_protocol_and_organisers_once_each() -> None:
    protocol = person(1, role="protocol")
    unregistered = person(2, role="protocol", telegram_id=None)
    member = person(3)
    organiser_and_protocol = person(4, role="protocol", telegram_id=900)
    got = late_alert_recipients(
        [protocol, unregistered, member, organiser_and_protocol], [900, 901], presser=1003
    )
    assert got == [1001, 900, 901]
    assert late_alert_recipients([protocol], [900], presser=1001) == [900]


def test_shifting_the_forum_moves_departures_and_flights_with_it() -> None:
    from schedule.shift import shift_forum

    forum = load_forum_file(SAMPLE_FORUM_PATH)
    opening = next(e for e in forum.events if e.id == "opening-plenary")
    anchor_at = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    moved = shift_forum(
        forum, first_day=date(2030, 1, 7), anchor_event_id=opening.id, anchor_start=anchor_at
    )
    new_opening = next(e for e in moved.events if e.id == opening.id)
    for before, after in zip(forum.transports, moved.transports, strict=True):
        assert after.departs - new_opening.starts == before.departs - opening.starts
        assert (after.arrives is None) == (before.arrives is None)
    head, new_head = forum.delegates[0], moved.delegates[0]
    assert head.arrival and new_head.arrival
    assert new_head.arrival.at - new_opening.starts == head.arrival.at - opening.starts
    assert new_head.arrival.flight == "HY 753"
