"""The logistics tables of a forum file: ``[[transport]]``, ``[[contact]]`` and the
delegates' hotel, arrival and departure.

Read like the other tables (:mod:`schedule.forum_fields`): every problem names the file,
the table and the field, and is collected before anything is raised.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from schedule.forum_fields import MISSING, TableReader, array_of_tables, type_name
from schedule.forum_tables import TRAVEL_KEYS, table_label
from schedule.model import (
    CONTACT_ROLES,
    TRANSPORT_KINDS,
    Contact,
    DelegateEntry,
    Journey,
    Transport,
    Travel,
)

_JOURNEY_KEYS = frozenset({"at", "place", "flight"})
_TRANSPORT_KEYS = frozenset(
    {
        "id", "kind", "departs", "arrives", "from", "to", "meeting_point", "vehicle", "driver",
        "phone", "for", "event",
    }
)  # fmt: skip
_CONTACT_KEYS = frozenset({"role", "name", "phone", "telegram", "for", "note"})
# What a person dials: digits with the usual separators, at least five digits.
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{3,30}$")
# Telegram's own rule for usernames: 5-32 of a-z 0-9 _, starting with a letter.
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
_MAX_FLIGHT = 16


@dataclass(frozen=True, slots=True)
class Logistics:
    transports: tuple[Transport, ...] = ()
    contacts: tuple[Contact, ...] = ()
    travel: Mapping[str, Travel] = field(default_factory=dict)  # delegate code -> travel

    def delegates(self, entries: Collection[DelegateEntry]) -> tuple[DelegateEntry, ...]:
        """The entries with their hotel, arrival and departure filled in."""
        out = []
        for entry in entries:
            travel = self.travel.get(entry.code)
            if travel is not None:
                entry = replace(
                    entry, hotel=travel.hotel, arrival=travel.arrival, departure=travel.departure
                )
            out.append(entry)
        return tuple(out)


class _NestedReader(TableReader):
    """An inline table inside a table's field: problems are named ``field "arrival.at"``."""

    def __init__(
        self, table: TableReader, outer: str, data: dict[str, Any], allowed: frozenset[str]
    ) -> None:
        self.outer = outer
        super().__init__(table.errors, "", "", data, frozenset(data))
        self.prefix = table.prefix  # already "file: table"
        for key in data:
            if key not in allowed:
                self.error(key, "unknown key")

    def error(self, key: str, message: str) -> None:
        super().error(f"{self.outer}.{key}", message)


def _dicts(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The tables of ``[[key]]``; what is not a table is reported by :func:`array_of_tables`."""
    value = doc.get(key, [])
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _optional_time(table: TableReader, key: str, tz: ZoneInfo) -> datetime | None:
    return None if table.data.get(key, MISSING) is MISSING else table.local_time(key, tz)


def _venue(
    table: TableReader, key: str, venue_ids: Collection[str], *, required: bool
) -> str | None:
    value = table.text(key, required=required)
    if value is not None and value not in venue_ids:
        table.error(key, f"unknown venue {value!r}")
        return None
    return value


def _phone(table: TableReader, key: str = "phone") -> str | None:
    value = table.text(key)
    if value is not None and not (
        _PHONE_RE.fullmatch(value.strip()) and sum(ch.isdigit() for ch in value) >= 5
    ):
        table.error(key, f"bad phone number {value!r}: digits, spaces, + ( ) - only")
        return None
    return value.strip() if value is not None else None


def _audience(table: TableReader, group_ids: Collection[str], codes: Collection[str]) -> Any:
    """``for``: group ids and delegate codes, in the file's order; None when omitted."""
    value = table.value("for", False)
    if value is MISSING:
        return None
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        table.error("for", "must be an array of group ids and delegate codes")
        return None
    if not value:
        table.error("for", "must name at least one group or delegate (omit it for everyone)")
        return None
    for who in value:
        if who not in group_ids and who not in codes:
            table.error("for", f"unknown group or delegate code {who!r}")
    return tuple(dict.fromkeys(value))


def parse_logistics(
    errors: list[str],
    filename: str,
    doc: dict[str, Any],
    tz: ZoneInfo,
    *,
    venue_ids: Collection[str],
    group_ids: Collection[str],
    codes: Collection[str],
    event_ids: Collection[str],
) -> Logistics:
    """Read transports, contacts and the delegates' travel, cross-checked with the rest."""
    declared = _Declared(venue_ids, group_ids, codes, event_ids)
    return Logistics(
        transports=tuple(_parse_transports(errors, filename, doc, tz, declared)),
        contacts=tuple(_parse_contacts(errors, filename, doc, group_ids, codes)),
        travel=_parse_travel(errors, filename, doc, tz, venue_ids),
    )


@dataclass(frozen=True, slots=True)
class _Declared:
    """What the rest of the file declares, which a transport refers to."""

    venue_ids: Collection[str]
    group_ids: Collection[str]
    codes: Collection[str]
    event_ids: Collection[str]


def _parse_transports(
    errors: list[str], filename: str, doc: dict[str, Any], tz: ZoneInfo, declared: _Declared
) -> list[Transport]:
    transports: list[Transport] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "transport"), start=1):
        label = table_label("transport", data, "id", number)
        table = TableReader(errors, filename, label, data, _TRANSPORT_KEYS)
        before = len(errors)
        ident = table.ident("id")
        if ident is not None:
            if ident in seen:
                table.error("id", f"duplicate transport id {ident!r}")
            elif ident in declared.event_ids:
                # /move and /cancel take either: one id must name one thing.
                table.error("id", f"{ident!r} is already an event id")
            seen.add(ident)
        kind = table.choice("kind", TRANSPORT_KINDS, required=True)
        departs = table.local_time("departs", tz)
        arrives = _optional_time(table, "arrives", tz)
        if departs is not None and arrives is not None and arrives <= departs:
            table.error("arrives", "arrives before it departs" if arrives < departs else
                        "arrives when it departs")  # fmt: skip
        origin = _venue(table, "from", declared.venue_ids, required=True)
        destination = _venue(table, "to", declared.venue_ids, required=True)
        if origin is not None and origin == destination:
            table.error("to", f"the same venue as from ({origin!r})")
        event = table.text("event")
        if event is not None and event not in declared.event_ids:
            table.error("event", f"unknown event {event!r}")
        values = {
            "meeting_point": table.localized("meeting_point"),
            "vehicle": table.text("vehicle"),
            "driver": table.text("driver"),
            "phone": _phone(table),
            "audience": _audience(table, declared.group_ids, declared.codes),
        }
        if len(errors) > before:
            continue
        assert ident and kind and departs and origin and destination  # no new errors
        transports.append(
            Transport(
                id=ident, kind=kind, departs=departs, origin=origin, destination=destination,
                arrives=arrives, event=event, **values,
            )
        )  # fmt: skip
    return transports


def _parse_contacts(
    errors: list[str],
    filename: str,
    doc: dict[str, Any],
    group_ids: Collection[str],
    codes: Collection[str],
) -> list[Contact]:
    contacts: list[Contact] = []
    for number, data in enumerate(array_of_tables(errors, filename, doc, "contact"), start=1):
        table = TableReader(
            errors, filename, table_label("contact", data, "name", number), data, _CONTACT_KEYS
        )
        before = len(errors)
        role = table.choice("role", CONTACT_ROLES, required=True)
        name = table.text("name", required=True)
        phone = _phone(table)
        telegram = table.text("telegram")
        if telegram is not None:
            if telegram.startswith("@"):
                table.error("telegram", f"write the username without @: {telegram[1:]!r}")
            elif not _USERNAME_RE.fullmatch(telegram):
                table.error("telegram", f"bad username {telegram!r}: 5-32 of A-Z a-z 0-9 _")
        if "phone" not in data and "telegram" not in data:
            table.error("phone", "give a phone, a telegram username, or both")
        audience = _audience(table, group_ids, codes)
        note = table.localized("note")
        if len(errors) > before:
            continue
        assert role and name
        contacts.append(Contact(role, name, phone, telegram, audience, note))
    return contacts


def _parse_travel(
    errors: list[str],
    filename: str,
    doc: dict[str, Any],
    tz: ZoneInfo,
    venue_ids: Collection[str],
) -> dict[str, Travel]:
    """The travel fields of each ``[[delegate]]`` (the rest is read by the main reader)."""
    travel: dict[str, Travel] = {}
    for number, data in enumerate(_dicts(doc, "delegate"), start=1):
        own = {k: v for k, v in data.items() if k in TRAVEL_KEYS}
        if not own:
            continue
        label = table_label("delegate", data, "code", number)
        table = TableReader(errors, filename, label, own, TRAVEL_KEYS)
        before = len(errors)
        hotel = _venue(table, "hotel", venue_ids, required=False)
        arrival = _journey(table, "arrival", tz, venue_ids)
        departure = _journey(table, "departure", tz, venue_ids)
        if arrival is not None and departure is not None and departure.at <= arrival.at:
            table.error("departure", "departure.at is not after arrival.at")
        code = data.get("code")
        if len(errors) == before and isinstance(code, str):
            travel[code] = Travel(hotel, arrival, departure)
    return travel


def _journey(
    table: TableReader, key: str, tz: ZoneInfo, venue_ids: Collection[str]
) -> Journey | None:
    value = table.value(key, False)
    if value is MISSING:
        return None
    if not isinstance(value, dict):
        table.error(key, f"must be a table like {{ at = 2023-09-13T18:40:00 }}, not "
                    f"{type_name(value)}")  # fmt: skip
        return None
    nested = _NestedReader(table, key, value, _JOURNEY_KEYS)
    before = len(table.errors)
    at = nested.local_time("at", tz)
    place = _venue(nested, "place", venue_ids, required=False)
    flight = nested.text("flight")
    if flight is not None and len(flight) > _MAX_FLIGHT:
        nested.error("flight", f"at most {_MAX_FLIGHT} characters, like 'HY 753'")
    if len(table.errors) > before or at is None:
        return None
    return Journey(at, place, flight)
