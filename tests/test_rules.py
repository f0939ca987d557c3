"""The forum rules as plain functions: audience, days, time rendering, codes, the .ics, shifting."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.views.texts import day_label, hhmm
from schedule.calendar import Revisions, agenda_ics, event_uid
from schedule.model import Event, Forum, Localized, Venue
from schedule.rules import (
    Viewer,
    concerns,
    events_on,
    forum_days,
    in_audience,
    local_day,
    nearest_day,
    next_event,
    seated_by,
    visible_events,
)
from schedule.services.joining import (
    FIRST_PAUSE,
    FREE_ATTEMPTS,
    LONGEST_PAUSE,
    code_pause,
    code_retry_at,
)
from schedule.shift import first_reminded_event, shift_forum

DUSHANBE = ZoneInfo("Asia/Dushanbe")  # UTC+5, no daylight saving time


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def event(
    ident: str,
    starts: datetime,
    *,
    minutes: int = 60,
    audience: tuple[str, ...] | None = None,
    **kw: object,
) -> Event:
    return Event(
        id=ident,
        kind=str(kw.pop("kind", "meeting")),
        title=Localized({"en": f"Title {ident}", "ru": f"Название {ident}"}),
        starts=starts,
        ends=starts + timedelta(minutes=minutes),
        audience=audience,
        **kw,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- audience


def test_event_without_audience_is_for_everyone() -> None:
    whole = event("all", utc(2023, 9, 14, 5))
    assert in_audience(whole, None)
    assert in_audience(whole, "tict")


def test_event_with_audience_is_for_its_groups_only() -> None:
    tict = event("tict", utc(2023, 9, 14, 5), audience=("tict", "tut"))
    assert in_audience(tict, "tict")
    assert in_audience(tict, "tut")
    assert not in_audience(tict, "other")
    assert not in_audience(tict, None)  # a delegate with no group sees whole-delegation events


def test_organisers_see_every_event() -> None:
    tict = event("tict", utc(2023, 9, 14, 5), audience=("tict",))
    assert concerns(tict, Viewer(group=None, organiser=True))
    assert concerns(tict, Viewer(group="other", organiser=True))
    assert not concerns(tict, Viewer(group="other"))
    assert concerns(tict, Viewer(group="tict"))


def test_visible_events_are_active_concerned_and_sorted() -> None:
    later = event("b-later", utc(2023, 9, 14, 9))
    early = event("a-early", utc(2023, 9, 14, 5))
    same_time = event("a-same", utc(2023, 9, 14, 9))
    cancelled = dataclasses.replace(event("c", utc(2023, 9, 14, 6)), status="cancelled")
    other = event("other", utc(2023, 9, 14, 7), audience=("osh",))
    shown = visible_events([later, cancelled, other, early, same_time], Viewer(group="tict"))
    assert [e.id for e in shown] == ["a-early", "a-same", "b-later"]
    everything = visible_events([later, cancelled, other], Viewer(organiser=True))
    assert [e.id for e in everything] == ["other", "b-later"]  # cancelled stays hidden


# ---------------------------------------------------------------- days across the timezone


def test_days_are_local_to_the_forum() -> None:
    # 19:30 UTC on the 13th is 00:30 on the 14th in Dushanbe; 18:59 UTC is still the 13th.
    after_midnight = event("late", utc(2023, 9, 13, 19, 30))
    before_midnight = event("eve", utc(2023, 9, 13, 18, 59))
    assert local_day(after_midnight.starts, DUSHANBE) == date(2023, 9, 14)
    assert local_day(before_midnight.starts, DUSHANBE) == date(2023, 9, 13)
    assert forum_days([after_midnight, before_midnight], DUSHANBE) == [
        date(2023, 9, 13),
        date(2023, 9, 14),
    ]
    assert forum_days([after_midnight, before_midnight], ZoneInfo("UTC")) == [date(2023, 9, 13)]
    assert events_on([after_midnight, before_midnight], date(2023, 9, 14), DUSHANBE) == [
        after_midnight
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2023, 9, 14), date(2023, 9, 14)),  # a forum day: itself
        (date(2023, 9, 15), date(2023, 9, 15)),
        (date(2023, 9, 1), date(2023, 9, 14)),  # before the forum: the first day
        (date(2023, 9, 16), date(2023, 9, 18)),  # a gap: the next forum day
        (date(2024, 1, 1), date(2023, 9, 18)),  # after the forum: the last day
    ],
)
def test_nearest_day(today: date, expected: date) -> None:
    days = [date(2023, 9, 14), date(2023, 9, 15), date(2023, 9, 18)]
    assert nearest_day(days, today) == expected


def test_nearest_day_of_an_empty_programme() -> None:
    assert nearest_day([], date(2023, 9, 14)) is None


def test_next_event() -> None:
    first = event("first", utc(2023, 9, 14, 5), minutes=60)
    second = event("second", utc(2023, 9, 14, 7), minutes=30)
    events = [second, first]
    assert next_event(events, utc(2023, 9, 14, 4)) == first
    assert next_event(events, utc(2023, 9, 14, 5)) == second  # started means not next
    assert next_event(events, utc(2023, 9, 14, 7, 1)) is None


def test_seated_by() -> None:
    assert seated_by(event("x", utc(2023, 9, 14, 5))) is None
    early = event("y", utc(2023, 9, 14, 5), arrive_early=20)
    assert seated_by(early) == utc(2023, 9, 14, 4, 40)


def test_time_rendering_in_the_forum_zone() -> None:
    moment = utc(2023, 9, 14, 19, 30)  # 00:30 on Friday the 15th in Dushanbe
    assert hhmm(moment, DUSHANBE) == "00:30"
    assert hhmm(moment, ZoneInfo("UTC")) == "19:30"
    assert day_label(moment, DUSHANBE, "en") == "Friday, 15 September"
    assert day_label(moment, ZoneInfo("UTC"), "en") == "Thursday, 14 September"
    assert day_label(date(2023, 9, 14), lang="ru") == "четверг, 14 сентября"


# ---------------------------------------------------------------- invitation codes


def test_code_pause_is_free_at_first_then_doubles_up_to_an_hour() -> None:
    for failures in range(FREE_ATTEMPTS):
        assert code_pause(failures) == timedelta(0)
    assert code_pause(FREE_ATTEMPTS) == FIRST_PAUSE
    assert code_pause(FREE_ATTEMPTS + 1) == FIRST_PAUSE * 2
    assert code_pause(FREE_ATTEMPTS + 2) == FIRST_PAUSE * 4
    assert code_pause(FREE_ATTEMPTS + 50) == LONGEST_PAUSE
    pauses = [code_pause(n) for n in range(40)]
    assert pauses == sorted(pauses)


def test_code_retry_at() -> None:
    last = utc(2023, 9, 14, 6)
    assert code_retry_at(0, None) is None
    assert code_retry_at(FREE_ATTEMPTS - 1, last) is None
    assert code_retry_at(FREE_ATTEMPTS, last) == last + FIRST_PAUSE


# ---------------------------------------------------------------- the .ics file


def _parsed(data: bytes) -> list[object]:
    return [c for c in Calendar.from_ical(data).walk("VEVENT")]


def test_ics_times_in_the_forum_zone_with_tzid(sample: Forum) -> None:
    mou = next(e for e in sample.events if e.id == "mou-tut")
    data = agenda_ics(sample, [mou], lang="en", now=utc(2023, 9, 1))
    assert b"TZID=Asia/Dushanbe" in data
    assert b"BEGIN:VTIMEZONE" in data
    (item,) = _parsed(data)
    starts = item["DTSTART"].dt  # type: ignore[index]
    assert starts.tzinfo is not None and str(starts.tzinfo) == "Asia/Dushanbe"
    assert (starts.hour, starts.minute) == (14, 30)  # local, as in the forum file
    assert starts == mou.starts and item["DTEND"].dt == mou.ends  # type: ignore[index]


def test_ics_location_summary_and_language(sample: Forum) -> None:
    mou = next(e for e in sample.events if e.id == "mou-tut")
    (item,) = _parsed(agenda_ics(sample, [mou], lang="ru", now=utc(2023, 9, 1)))
    venue = sample.venue("tut")
    assert venue is not None
    assert str(item["LOCATION"]) == f"{venue.name}, {venue.address}"  # type: ignore[index]
    assert str(item["SUMMARY"]).startswith("Подписание меморандума")  # type: ignore[index]
    assert "Два подписанных экземпляра" in str(item["DESCRIPTION"])  # type: ignore[index]


def test_ics_uid_is_stable_across_exports_and_sequence_grows(sample: Forum) -> None:
    first = _parsed(agenda_ics(sample, sample.events, lang="en", now=utc(2023, 9, 1)))
    moved = [
        dataclasses.replace(
            e, starts=e.starts + timedelta(hours=1), ends=e.ends + timedelta(hours=1)
        )
        for e in sample.events
    ]
    revised = Revisions(events={e.id: 1 for e in moved})
    second = _parsed(
        agenda_ics(sample, moved, lang="uz", now=utc(2023, 9, 2), revisions=revised)
    )
    uids_first = [str(i["UID"]) for i in first]  # type: ignore[index]
    uids_second = [str(i["UID"]) for i in second]  # type: ignore[index]
    assert uids_first == uids_second
    assert len(set(uids_first)) == len(sample.events)
    assert uids_first[0] == event_uid(sample, sample.events[0])
    assert all(int(b["SEQUENCE"]) > int(a["SEQUENCE"]) for a, b in zip(first, second, strict=True))  # type: ignore[index]


def test_ics_marks_cancelled_events(sample: Forum) -> None:
    off = dataclasses.replace(sample.events[0], status="cancelled")
    (item,) = _parsed(agenda_ics(sample, [off], lang="en", now=utc(2023, 9, 1)))
    assert str(item["STATUS"]) == "CANCELLED"  # type: ignore[index]


# ---------------------------------------------------------------- shifting a forum


def test_shift_by_days_keeps_local_wall_clock(sample: Forum) -> None:
    shifted = shift_forum(sample, first_day=date(2026, 3, 2))
    assert forum_days(shifted.events, DUSHANBE) == [date(2026, 3, 2), date(2026, 3, 3)]
    for before, after in zip(sample.events, shifted.events, strict=True):
        assert after.id == before.id
        assert hhmm(after.starts, DUSHANBE) == hhmm(before.starts, DUSHANBE)
        assert after.ends - after.starts == before.ends - before.starts
        assert after.starts.tzinfo == UTC


def test_shift_keeps_wall_clock_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    winter = datetime(2026, 3, 20, 10, 0, tzinfo=berlin).astimezone(UTC)
    forum = Forum("F", "Berlin", berlin, events=(event("x", winter),))
    shifted = shift_forum(forum, first_day=date(2026, 4, 1))  # after the clocks moved
    assert shifted.events[0].starts.astimezone(berlin).hour == 10


def test_shift_with_anchor_moves_the_programme_rigidly(sample: Forum) -> None:
    anchor_at = datetime(2026, 3, 2, 7, 36, tzinfo=UTC)  # 12:36 in Dushanbe
    shifted = shift_forum(
        sample,
        first_day=date(2026, 3, 2),
        anchor_event_id="opening-plenary",
        anchor_start=anchor_at,
    )
    moved = {e.id: e for e in shifted.events}
    assert moved["opening-plenary"].starts == anchor_at
    original = {e.id: e for e in sample.events}
    gaps = {i: original[i].starts - original["opening-plenary"].starts for i in original}
    for ident, gap in gaps.items():
        assert moved[ident].starts - anchor_at == gap
        assert (
            moved[ident].ends - moved[ident].starts == original[ident].ends - original[ident].starts
        )
    assert [e.id for e in sorted(shifted.events, key=lambda e: e.starts)] == [
        e.id for e in sorted(sample.events, key=lambda e: e.starts)
    ]
    assert forum_days(shifted.events, DUSHANBE)[0] == date(2026, 3, 2)
    assert shifted.venues == sample.venues
    # The delegates are the same people; their flights move with the programme.
    def unflown(forum: Forum) -> list[object]:
        return [dataclasses.replace(d, arrival=None, departure=None) for d in forum.delegates]

    assert unflown(shifted) == unflown(sample)


def test_shift_rejects_bad_anchors(sample: Forum) -> None:
    with pytest.raises(ValueError, match="no event"):
        shift_forum(
            sample, first_day=date(2026, 1, 1), anchor_event_id="nope", anchor_start=utc(2026, 1, 1)
        )
    with pytest.raises(ValueError, match="both"):
        shift_forum(sample, first_day=date(2026, 1, 1), anchor_event_id="mou-tut")
    with pytest.raises(ValueError, match="aware"):
        shift_forum(
            sample,
            first_day=date(2026, 1, 1),
            anchor_event_id="mou-tut",
            anchor_start=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )


def test_shift_of_an_empty_forum_is_itself() -> None:
    forum = Forum("F", "Dushanbe", DUSHANBE, venues=(Venue("v", "Hall"),))
    assert shift_forum(forum, first_day=date(2026, 1, 1)) is forum


def test_first_reminded_event(sample: Forum) -> None:
    first = first_reminded_event(sample)
    assert first is not None and first.id == "opening-plenary" and first.remind
    quiet = dataclasses.replace(
        sample, events=tuple(dataclasses.replace(e, remind=False) for e in sample.events)
    )
    assert first_reminded_event(quiet) is None
