"""The forum file's logistics: [[transport]], [[contact]], delegates' hotel and flights."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schedule.forum_file import SAMPLE_FORUM_PATH, ForumFileError, load_forum_file, parse_forum
from schedule.model import Localized

FILE = "forum.toml"

BASE = """\
[forum]
name = "Forum of Rectors"
city = "Dushanbe"
timezone = "Asia/Dushanbe"

[[venue]]
id = "hotel"
name = "Hotel"

[[venue]]
id = "hall"
name = "Forum hall"

[[venue]]
id = "dyu"
name = "Airport"

[[group]]
id = "tict"
name = "TICT"

[[delegate]]
name = "Anvar Shernayev"
code = "tict-Hq7mX2vL9p"
group = "tict"
hotel = "hotel"
arrival = { at = 2023-09-13T18:40:00, place = "dyu", flight = "HY 753" }
departure = { at = 2023-09-16T10:10:00, place = "dyu", flight = "HY 754" }

[[event]]
id = "opening"
kind = "plenary"
title = "Opening"
starts = 2023-09-14T10:00:00
ends = 2023-09-14T12:00:00
venue = "hall"

[[transport]]
id = "bus-14"
kind = "bus"
departs = 2023-09-14T09:15:00
arrives = 2023-09-14T09:40:00
from = "hotel"
to = "hall"
meeting_point = { en = "Hotel lobby", ru = "Холл гостиницы" }
vehicle = "White bus 01 123 AA"
driver = "Firdavs"
phone = "+992 90 000 0000"
for = ["tict", "tict-Hq7mX2vL9p"]
event = "opening"

[[contact]]
role = "protocol"
name = "Protocol officer"
phone = "+998 90 000 0000"
telegram = "protocol_officer"
for = ["tict"]
note = { en = "Call any time" }
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def errors_of(text: str) -> list[str]:
    with pytest.raises(ForumFileError) as caught:
        parse_forum(text, FILE)
    return caught.value.errors


def assert_error(text: str, table: str, field: str, *fragments: str) -> None:
    errors = errors_of(text)
    wanted = (f"{FILE}: {table}: ", f'field "{field}"', *fragments)
    assert any(all(part in error for part in wanted) for error in errors), errors


def test_everything_is_read() -> None:
    forum = parse_forum(BASE, FILE)
    (bus,) = forum.transports
    assert bus.id == "bus-14" and bus.kind == "bus"
    assert bus.departs == datetime(2023, 9, 14, 4, 15, tzinfo=UTC)  # 09:15 at UTC+5
    assert bus.arrives == datetime(2023, 9, 14, 4, 40, tzinfo=UTC)
    assert (bus.origin, bus.destination) == ("hotel", "hall")
    assert bus.meeting_point == Localized({"en": "Hotel lobby", "ru": "Холл гостиницы"})
    assert (bus.vehicle, bus.driver, bus.phone) == ("White bus 01 123 AA", "Firdavs",
                                                    "+992 90 000 0000")  # fmt: skip
    assert bus.audience == ("tict", "tict-Hq7mX2vL9p") and bus.event == "opening"
    assert bus.is_active
    (contact,) = forum.contacts
    assert (contact.role, contact.name, contact.phone, contact.telegram) == (
        "protocol", "Protocol officer", "+998 90 000 0000", "protocol_officer",
    )  # fmt: skip
    assert contact.audience == ("tict",) and contact.note == Localized.plain("Call any time")
    (delegate,) = forum.delegates
    assert delegate.hotel == "hotel"
    assert delegate.arrival is not None and delegate.departure is not None
    assert delegate.arrival.at == datetime(2023, 9, 13, 13, 40, tzinfo=UTC)
    assert (delegate.arrival.place, delegate.arrival.flight) == ("dyu", "HY 753")
    assert delegate.departure.flight == "HY 754"
    assert forum.transport("bus-14") is bus


def test_minimal_transport_and_contact() -> None:
    text = BASE.split("[[transport]]")[0] + (
        '[[transport]]\nid = "walk"\nkind = "walk"\ndeparts = 2023-09-14T12:00:00\n'
        'from = "hall"\nto = "hotel"\n\n'
        '[[contact]]\nrole = "embassy"\nname = "Embassy"\ntelegram = "embassy_uz"\n'
    )
    forum = parse_forum(text, FILE)
    (walk,) = forum.transports
    assert walk.arrives is None and walk.audience is None and walk.meeting_point is None
    assert walk.event is None and walk.phone is None
    (contact,) = forum.contacts
    assert contact.phone is None and contact.audience is None


def test_sample_has_transport_for_both_days_contacts_and_travel() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    tz = forum.timezone
    days = {t.departs.astimezone(tz).date().isoformat() for t in forum.transports}
    assert {"2023-09-14", "2023-09-15"} <= days
    assert forum.venue("hotel") is not None and forum.venue("dyu-airport") is not None
    roles = {c.role for c in forum.contacts}
    assert {"protocol", "interpreter", "transport", "embassy"} <= roles
    assert all(c.name.startswith("Placeholder") for c in forum.contacts)
    head = next(d for d in forum.delegates if d.code == "head-Zq4vN8rT2m")
    assert head.hotel == "hotel" and head.arrival and head.arrival.flight == "HY 753"
    event_ids = {e.id for e in forum.events}
    assert all(t.event is None or t.event in event_ids for t in forum.transports)
    assert all(t.meeting_point for t in forum.transports)


# ---------------------------------------------------------------- transport problems


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('id = "bus-14"', 'id = "bus 14"', "id", "bad id"),
        ('id = "bus-14"', 'id = "opening"', "id", "already an event id"),
        ('kind = "bus"', 'kind = "plane"', "kind", "unknown kind"),
        ("departs = 2023-09-14T09:15:00", 'departs = "09:15"', "departs", "local date-time"),
        ("arrives = 2023-09-14T09:40:00", "arrives = 2023-09-14T09:00:00", "arrives", "before"),
        ("arrives = 2023-09-14T09:40:00", "arrives = 2023-09-14T09:15:00", "arrives", "when"),
        (
            "arrives = 2023-09-14T09:40:00",
            "arrives = 2023-09-14T09:40:00+05:00",
            "arrives",
            "without an offset",
        ),
        ('from = "hotel"', 'from = "nowhere"', "from", "unknown venue 'nowhere'"),
        ('to = "hall"', 'to = "hotel"', "to", "same venue"),
        ('phone = "+992 90 000 0000"', 'phone = "call me"', "phone", "bad phone"),
        ('phone = "+992 90 000 0000"', "phone = 992900000000", "phone", "must be a string"),
        ('for = ["tict", "tict-Hq7mX2vL9p"]', 'for = ["ghosts"]', "for", "unknown group"),
        ('for = ["tict", "tict-Hq7mX2vL9p"]', "for = []", "for", "at least one"),
        ('for = ["tict", "tict-Hq7mX2vL9p"]', 'for = "tict"', "for", "must be an array"),
        ('event = "opening"', 'event = "closing"', "event", "unknown event 'closing'"),
        ('driver = "Firdavs"', 'driver = ""', "driver", "must not be empty"),
        (
            'meeting_point = { en = "Hotel lobby", ru = "Холл гостиницы" }',
            'meeting_point = { fr = "Lobby" }',
            "meeting_point",
            "unknown language",
        ),
        (
            'vehicle = "White bus 01 123 AA"',
            'vehicle = "White bus"\nseats = 40',
            "seats",
            "unknown key",
        ),
    ],
)
def test_transport_problem(old: str, new: str, field: str, fragment: str) -> None:
    ident = new.split('"')[1] if new.startswith("id = ") else "bus-14"
    assert_error(edit(old, new), f'transport "{ident}"', field, fragment)


@pytest.mark.parametrize("line", ['kind = "bus"', "departs = 2023-09-14T09:15:00",
                                  'from = "hotel"', 'to = "hall"'])  # fmt: skip
def test_transport_missing_required_key(line: str) -> None:
    field = line.split(" = ")[0]
    assert_error(edit(line + "\n", ""), 'transport "bus-14"', field, "missing required key")


def test_transport_without_id_is_named_by_number() -> None:
    assert_error(edit('id = "bus-14"\n', ""), "transport #1", "id", "missing required key")


def test_duplicate_transport_id() -> None:
    block = "[[transport]]" + BASE.split("[[transport]]")[1].split("[[contact]]")[0]
    text = edit("[[contact]]", block + "[[contact]]")
    assert_error(text, 'transport "bus-14"', "id", "duplicate transport id")


def test_transport_written_as_a_table() -> None:
    text = BASE.replace("[[transport]]", "[transport]")
    errors = errors_of(text)
    assert any('top level: field "transport"' in e and "[[transport]]" in e for e in errors)


# ---------------------------------------------------------------- contact problems


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('role = "protocol"', 'role = "chef"', "role", "unknown role"),
        (
            'telegram = "protocol_officer"',
            'telegram = "@protocol_officer"',
            "telegram",
            "without @",
        ),
        ('telegram = "protocol_officer"', 'telegram = "po"', "telegram", "bad username"),
        ('phone = "+998 90 000 0000"', 'phone = "12"', "phone", "bad phone"),
        ('for = ["tict"]', 'for = ["nobody"]', "for", "unknown group or delegate code"),
        ('note = { en = "Call any time" }', "note = 5", "note", "must be a string or a table"),
    ],
)
def test_contact_problem(old: str, new: str, field: str, fragment: str) -> None:
    assert_error(edit(old, new), 'contact "Protocol officer"', field, fragment)


def test_contact_needs_a_phone_or_a_username() -> None:
    text = edit('phone = "+998 90 000 0000"\ntelegram = "protocol_officer"\n', "")
    assert_error(text, 'contact "Protocol officer"', "phone", "give a phone")


def test_contact_missing_name_is_named_by_number() -> None:
    assert_error(edit('name = "Protocol officer"\n', ""), "contact #1", "name", "missing")


# ---------------------------------------------------------------- delegates' travel


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('hotel = "hotel"', 'hotel = "ritz"', "hotel", "unknown venue 'ritz'"),
        (
            'place = "dyu", flight = "HY 753"',
            'place = "lhr", flight = "HY 753"',
            "arrival.place",
            "unknown venue 'lhr'",
        ),
        ("at = 2023-09-13T18:40:00, ", "", "arrival.at", "missing required key"),
        ("at = 2023-09-13T18:40:00", 'at = "evening"', "arrival.at", "local date-time"),
        ('flight = "HY 754"', 'flight = "HY 754", seat = "1A"', "departure.seat", "unknown key"),
        ('flight = "HY 754"', 'flight = "' + "X" * 17 + '"', "departure.flight", "at most 16"),
        (
            "departure = { at = 2023-09-16T10:10:00",
            "departure = { at = 2023-09-13T10:10:00",
            "departure",
            "not after arrival",
        ),
        (
            'arrival = { at = 2023-09-13T18:40:00, place = "dyu", flight = "HY 753" }',
            'arrival = "evening"',
            "arrival",
            "must be a table",
        ),
    ],
)
def test_travel_problem(old: str, new: str, field: str, fragment: str) -> None:
    assert_error(edit(old, new), 'delegate "tict-Hq7mX2vL9p"', field, fragment)


def test_nothing_of_an_invalid_file_is_returned() -> None:
    """An error in a logistics table fails the whole file, like any other."""
    errors = errors_of(edit('to = "hall"', 'to = "moon"'))
    assert len(errors) == 1


def test_every_problem_is_reported_at_once() -> None:
    text = edit('to = "hall"', 'to = "moon"')
    text = edit('role = "protocol"', 'role = "chef"', text)
    text = edit('hotel = "hotel"', 'hotel = "ritz"', text)
    errors = errors_of(text)
    assert len(errors) == 3
    assert all(e.startswith(f"{FILE}: ") for e in errors)
