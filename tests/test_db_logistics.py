"""Stored logistics: the import of transport, contacts and travel (idempotent, matched by
id), departures' change detection feeding the notices, revisions, running late, pins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from db import Database
from db.delegates import by_id, register_with_code
from db.deliveries import Item, list_deliveries
from db.forum import import_forum, load_forum, reschedule_event, set_event_status
from db.logistics import load_contacts, travel_of
from db.pins import DayPin, forget_pin, pin_of, pins_of_day, save_pin, set_digest
from db.revisions import event_revisions, transport_revisions
from db.transport import (
    announce_departures,
    get_transport,
    pressed_running_late,
    record_running_late,
    reschedule_transport,
    set_transport_status,
    transport_stamps,
)
from schedule.calendar import Revisions, agenda_ics, journey_uid, transport_uid
from schedule.departures import (
    AnnouncedDeparture,
    departure_notice_facts,
    departure_notice_key,
    departure_notice_recipients,
    unannounced_departures,
)
from schedule.model import Delegate, Forum, Journey, Localized, Transport

NOW = datetime(2023, 9, 1, 12, 0, tzinfo=UTC)


def with_transport(forum: Forum, transport_id: str, **changes: object) -> Forum:
    ts = tuple(replace(t, **changes) if t.id == transport_id else t for t in forum.transports)
    return replace(forum, transports=ts)


async def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    for table in ("transport", "transport_announced", "contact", "delegate_travel",
                  "event_revision"):  # fmt: skip
        rows = await database.fetchall(f"SELECT * FROM {table} ORDER BY 1")
        out[table] = [tuple(r) for r in rows]
    return out


# ---------------------------------------------------------------- import


async def test_import_stores_transport_contacts_and_travel(
    database: Database, sample: Forum
) -> None:
    report = await import_forum(database, sample, source_hash="a", now=NOW)
    assert set(report.transports.added) == {t.id for t in sample.transports}
    assert report.contacts_changed and report.travel_changed == len(sample.delegates)
    stored = await load_forum(database)
    assert stored is not None
    assert stored.transports == tuple(sorted(sample.transports, key=lambda t: (t.departs, t.id)))
    assert stored.contacts == sample.contacts
    assert await load_contacts(database.conn) == list(sample.contacts)
    head_id = (await database.fetchone("SELECT id FROM delegate WHERE code = 'head-Zq4vN8rT2m'"))[0]  # type: ignore[index]
    travel = await travel_of(database, head_id)
    head = next(d for d in sample.delegates if d.code == "head-Zq4vN8rT2m")
    assert travel is not None and travel.travel == head.travel and travel.revision == 0


async def test_import_twice_changes_nothing(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    before = await dump(database)
    report = await import_forum(database, sample, source_hash="a", now=NOW + timedelta(hours=1))
    assert report.is_empty
    assert await dump(database) == before


async def test_transport_matched_by_id_changed_and_removed(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    later = NOW + timedelta(hours=1)
    moved = with_transport(sample, "bus-14-morning", vehicle="Blue bus")
    moved = replace(moved, transports=tuple(t for t in moved.transports if t.id != "car-14-head"))
    report = await import_forum(database, moved, source_hash="b", now=later)
    assert [c.after.id for c in report.transports.changed] == ["bus-14-morning", "car-14-head"]
    assert report.transports.removed == ("car-14-head",)
    assert report.transports.changed[0].fields == {"vehicle"}
    gone = await get_transport(database, "car-14-head")
    assert gone is not None and gone.status == "removed"  # kept, not deleted
    back = await import_forum(database, sample, source_hash="a", now=later)
    restored = await get_transport(database, "car-14-head")
    assert restored is not None and restored.status == "scheduled"
    assert "car-14-head" in {c.after.id for c in back.transports.changed}


async def test_a_delegates_travel_change_raises_its_revision(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    code = "tict-Hq7mX2vL9p"
    entries = tuple(
        replace(d, departure=Journey(d.departure.at + timedelta(hours=2), "dyu-airport", "HY 756"))
        if d.code == code and d.departure else d
        for d in sample.delegates
    )  # fmt: skip
    report = await import_forum(
        database, replace(sample, delegates=entries), source_hash="b", now=NOW
    )
    assert report.travel_changed == 1
    row = await database.fetchone("SELECT id FROM delegate WHERE code = ?", (code,))
    assert row is not None
    stored = await travel_of(database, row["id"])
    assert stored is not None and stored.revision == 1
    assert stored.travel.departure is not None and stored.travel.departure.flight == "HY 756"


async def test_contacts_are_replaced_in_the_files_order(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    fewer = replace(sample, contacts=tuple(reversed(sample.contacts[:2])))
    report = await import_forum(database, fewer, source_hash="b", now=NOW)
    assert report.contacts_changed
    assert await load_contacts(database.conn) == list(reversed(sample.contacts[:2]))


# ---------------------------------------------------------------- organisers' changes


async def test_move_and_cancel_a_departure(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    bus = next(t for t in sample.transports if t.id == "bus-14-morning")
    moved_at = NOW + timedelta(minutes=5)
    change = await reschedule_transport(
        database, bus.id, bus.departs + timedelta(minutes=30), None, moved_at
    )
    assert change is not None and change.fields == {"departs", "arrives"}
    stamps = await transport_stamps(database)
    assert stamps[bus.id].scheduled_at == moved_at and stamps[bus.id].revision == 1
    off = await set_transport_status(database, bus.id, "cancelled", moved_at)
    assert off is not None and off.after.status == "cancelled"
    stamps = await transport_stamps(database)
    assert stamps[bus.id].scheduled_at == moved_at and stamps[bus.id].revision == 2
    assert await reschedule_transport(database, "nope", NOW, None, NOW) is None
    with pytest.raises(ValueError):
        await reschedule_transport(database, bus.id, NOW, NOW - timedelta(minutes=1), NOW)


# ---------------------------------------------------------------- change notices


async def _announce(database: Database, people: Sequence[Delegate], now: datetime) -> int:
    def plan(
        transports: Sequence[Transport],
        announced: Mapping[str, AnnouncedDeparture],
        versions: Mapping[str, str],
    ) -> tuple[list[Transport], list[Item], list[str]]:
        record, tell = unannounced_departures(transports, announced, now)
        items = [
            Item("notice", departure_notice_key(b, a, versions[a.id]), d.id, now, None)
            for b, a in tell
            for d in departure_notice_recipients(b, a, people)
        ]
        return record, items, []  # no delegation chat here

    return await announce_departures(database, plan, now)


async def _registered(database: Database, code: str, telegram_id: int) -> Delegate:
    registration = await register_with_code(database, code, telegram_id, NOW, language="en")
    assert registration.delegate is not None
    found = await by_id(database, registration.delegate.id)
    assert found is not None
    return found


async def test_departure_changes_are_told_once_to_their_riders(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    member = await _registered(database, "tict-Hq7mX2vL9p", 501)
    head = await _registered(database, "head-Zq4vN8rT2m", 502)
    assert await _announce(database, [member, head], NOW) == 0  # first seen: nothing to tell
    car = next(t for t in sample.transports if t.id == "car-14-tut")
    point = Localized.plain("Forum hall, east exit")
    await import_forum(
        database, with_transport(sample, car.id, meeting_point=point), source_hash="b", now=NOW
    )
    assert await _announce(database, [member, head], NOW) == 1  # tict only
    assert await _announce(database, [member, head], NOW) == 0  # told once
    (notice,) = await list_deliveries(database, kind="notice")
    assert notice.delegate_id == member.id
    facts = departure_notice_facts(notice.key)
    assert facts.transport_id == car.id and facts.new_place and not facts.moved
    await set_transport_status(database, "bus-14-morning", "cancelled", NOW)
    assert await _announce(database, [member, head], NOW) == 2  # the whole delegation


async def test_vehicle_change_is_recorded_without_a_notice(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    member = await _registered(database, "tict-Hq7mX2vL9p", 501)
    van = with_transport(sample, "car-14-tut", vehicle="Grey van")
    await import_forum(database, van, source_hash="b", now=NOW)
    assert await _announce(database, [member], NOW) == 0


# ---------------------------------------------------------------- revisions and the calendar


async def revisions(database: Database) -> Revisions:
    return Revisions(await event_revisions(database), await transport_revisions(database))


def _sequences(data: bytes) -> dict[str, tuple[int, str]]:
    return {
        str(c["UID"]): (int(c["SEQUENCE"]), str(c["STATUS"]))
        for c in Calendar.from_ical(data).walk("VEVENT")
    }


async def test_sequence_grows_with_every_change_even_within_the_minute(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    forum = await load_forum(database)
    assert forum is not None
    mou = next(e for e in forum.events if e.id == "mou-tut")
    first = _sequences(agenda_ics(forum, [mou], lang="en", now=NOW,
                                  revisions=await revisions(database)))  # fmt: skip
    ((uid, (seq0, status0)),) = first.items()
    assert status0 == "CONFIRMED"
    # A move seconds after the import, within the same minute: still a new revision.
    same_minute = NOW + timedelta(seconds=20)
    await reschedule_event(
        database, mou.id, mou.starts + timedelta(minutes=30), mou.ends + timedelta(minutes=30),
        same_minute,
    )  # fmt: skip
    await set_event_status(database, mou.id, "cancelled", same_minute)
    forum = await load_forum(database)
    assert forum is not None
    off = next(e for e in forum.events if e.id == "mou-tut")
    second = _sequences(agenda_ics(forum, [off], lang="en", now=same_minute,
                                   revisions=await revisions(database)))  # fmt: skip
    assert second[uid] == (seq0 + 2, "CANCELLED")
    # A re-import that puts the file back is a change too.
    await import_forum(database, sample, source_hash="b", now=same_minute)
    assert (await revisions(database)).events["mou-tut"] == seq0 + 3


async def test_removed_departure_stays_in_the_file_cancelled(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    fewer = replace(sample, transports=tuple(t for t in sample.transports if t.id != "car-14-tut"))
    await import_forum(database, fewer, source_hash="b", now=NOW)
    forum = await load_forum(database)
    assert forum is not None
    car = forum.transport("car-14-tut")
    assert car is not None and car.status == "removed"
    data = agenda_ics(forum, [], lang="en", now=NOW, revisions=await revisions(database),
                      departures=[car])  # fmt: skip
    assert _sequences(data)[transport_uid(forum, car)] == (1, "CANCELLED")


async def test_own_arrival_and_departure_in_the_calendar(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    forum = await load_forum(database)
    assert forum is not None
    row = await database.fetchone("SELECT id FROM delegate WHERE code = 'tict-Hq7mX2vL9p'")
    assert row is not None
    stored = await travel_of(database, row["id"])
    assert stored is not None
    data = agenda_ics(forum, [], lang="en", now=NOW, travel=stored.travel, traveller="7")
    items = {str(c["UID"]): c for c in Calendar.from_ical(data).walk("VEVENT")}
    arrival = items[journey_uid(forum, "7", "arrival")]
    assert str(arrival["SUMMARY"]) == "Arrival HY 753"
    assert arrival["DTSTART"].dt == stored.travel.arrival.at  # type: ignore[union-attr]
    assert "Dushanbe International Airport" in str(arrival["LOCATION"])
    assert str(items[journey_uid(forum, "7", "departure")]["SUMMARY"]) == "Departure HY 754"


# ---------------------------------------------------------------- running late and pins


async def test_running_late_is_recorded_once_per_departure_time(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    member = await _registered(database, "tict-Hq7mX2vL9p", 501)
    bus = await get_transport(database, "bus-14-morning")
    assert bus is not None
    assert not await pressed_running_late(database, bus, member.id)
    assert await record_running_late(database, bus, member.id, NOW)
    assert not await record_running_late(database, bus, member.id, NOW + timedelta(minutes=1))
    assert await pressed_running_late(database, bus, member.id)
    moved = replace(bus, departs=bus.departs + timedelta(minutes=30))
    assert await record_running_late(database, moved, member.id, NOW)  # a new departure


async def test_one_pin_per_delegate(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    member = await _registered(database, "tict-Hq7mX2vL9p", 501)
    day = date(2023, 9, 14)
    await save_pin(database, DayPin(member.id, day, 501, 10, "d1"), NOW)
    assert await pin_of(database, member.id) == DayPin(member.id, day, 501, 10, "d1")
    await set_digest(database, member.id, "d2", NOW)
    assert [p.digest for p in await pins_of_day(database, day)] == ["d2"]
    await save_pin(database, DayPin(member.id, day + timedelta(days=1), 501, 11, "d3"), NOW)
    assert await pins_of_day(database, day) == []
    await forget_pin(database, member.id)
    assert await pin_of(database, member.id) is None
