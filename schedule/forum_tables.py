"""The forum file's own tables: ``[[venue]]``, ``[[group]]``, ``[[delegate]]`` and
``[[event]]``, each read into the model by :func:`schedule.forum_file.parse_forum`.

Read like the other tables (:mod:`schedule.forum_fields`): every problem names the file,
the table and the field, and is collected before anything is raised.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from schedule.forum_fields import CODE_RE, MISSING, TableReader, array_of_tables, type_name
from schedule.invitations import code_weakness
from schedule.model import EVENT_KINDS, REMINDED_KINDS, ROLES, DelegateEntry, Event, Group, Venue

STRONG_CODE_HINT = (
    "A random one: python3 -c 'import secrets; print(secrets.token_urlsafe(12))'"
)
_VENUE_KEYS = frozenset({"id", "name", "address", "lat", "lon"})
_GROUP_KEYS = frozenset({"id", "name"})
# A delegate's hotel, arrival and departure: allowed here, read by schedule.logistics_file.
TRAVEL_KEYS = frozenset({"hotel", "arrival", "departure"})
_DELEGATE_KEYS = frozenset({"name", "position", "group", "code", "role"}) | TRAVEL_KEYS
_EVENT_KEYS = frozenset(
    {
        "id",
        "kind",
        "title",
        "starts",
        "ends",
        "venue",
        "audience",
        "speaker",
        "description",
        "remind",
        "dress",
        "arrive_early",
        "bring",
    }
)


def table_label(kind: str, data: dict[str, Any], key: str, number: int) -> str:
    """How problems name a table: by its ``key`` (id, code, name) if it has one, else by
    its place among the file's ``[[kind]]`` tables."""
    value = data.get(key)
    if isinstance(value, str) and value:
        return f'{kind} "{value}"'
    return f"{kind} #{number}"


def _check_unique(
    table: TableReader,
    key: str,
    value: str | None,
    seen: set[str],
    what: str,
    *,
    fold: bool = False,
) -> None:
    if value is None:
        return
    seen_as = value.casefold() if fold else value
    if seen_as in seen:
        table.error(key, f"duplicate {what} {value!r}")
    seen.add(seen_as)


def parse_venues(errors: list[str], filename: str, doc: dict[str, Any]) -> list[Venue]:
    venues: list[Venue] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "venue"), start=1):
        table = TableReader(
            errors, filename, table_label("venue", data, "id", number), data, _VENUE_KEYS
        )
        ident = table.ident("id")
        _check_unique(table, "id", ident, seen, "venue id")
        name = table.text("name", required=True)
        address = table.text("address") or ""
        lat = table.number("lat", -90, 90)
        lon = table.number("lon", -180, 180)
        if ("lat" in data) != ("lon" in data):
            table.error("lon" if "lat" in data else "lat", "give both lat and lon, or neither")
        if ident is not None and name is not None:
            venues.append(Venue(id=ident, name=name, address=address, lat=lat, lon=lon))
    return venues


def parse_groups(errors: list[str], filename: str, doc: dict[str, Any]) -> list[Group]:
    groups: list[Group] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "group"), start=1):
        table = TableReader(
            errors, filename, table_label("group", data, "id", number), data, _GROUP_KEYS
        )
        ident = table.ident("id")
        _check_unique(table, "id", ident, seen, "group id")
        name = table.text("name", required=True)
        if ident is not None and name is not None:
            groups.append(Group(id=ident, name=name))
    return groups


def parse_delegates(
    errors: list[str], filename: str, doc: dict[str, Any], group_ids: set[str]
) -> list[DelegateEntry]:
    delegates: list[DelegateEntry] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "delegate"), start=1):
        label = table_label("delegate", data, "code", number)
        table = TableReader(errors, filename, label, data, _DELEGATE_KEYS)
        name = table.text("name", required=True)
        code = table.ident("code", "code")
        # Codes are typed by people: two differing only in case would be a trap.
        _check_unique(table, "code", code, seen, "code", fold=True)
        weakness = code_weakness(code, name or "") if code and CODE_RE.fullmatch(code) else None
        if weakness is not None:
            table.error("code", f"guessable code {code!r}: {weakness}. {STRONG_CODE_HINT}")
        position = table.text("position") or ""
        group = table.text("group")
        if group is not None and group not in group_ids:
            table.error("group", f"unknown group {group!r}")
        role = table.choice("role", ROLES, required=False) or "member"
        if name is not None and code is not None:
            delegates.append(
                DelegateEntry(name=name, code=code, position=position, group=group, role=role)
            )
    return delegates


def parse_events(
    errors: list[str],
    filename: str,
    doc: dict[str, Any],
    tz: ZoneInfo,
    venue_ids: set[str],
    group_ids: set[str],
) -> list[Event]:
    events: list[Event] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "event"), start=1):
        table = TableReader(
            errors, filename, table_label("event", data, "id", number), data, _EVENT_KEYS
        )
        before = len(errors)
        ident = table.ident("id")
        _check_unique(table, "id", ident, seen, "event id")
        kind = table.choice("kind", EVENT_KINDS, required=True)
        title = table.localized("title", required=True)
        starts = table.local_time("starts", tz)
        ends = table.local_time("ends", tz)
        if starts is not None and ends is not None and ends <= starts:
            table.error("ends", "ends before starts" if ends < starts else "ends when it starts")
        venue = table.text("venue")
        if venue is not None and venue not in venue_ids:
            table.error("venue", f"unknown venue {venue!r}")
        audience = _audience(table, group_ids)
        remind = table.flag("remind")
        arrive_early = _minutes(table, "arrive_early")
        event_fields = {
            "speaker": table.text("speaker"),
            "description": table.localized("description"),
            "dress": table.text("dress"),
            "bring": table.localized("bring"),
        }
        if len(errors) > before:
            continue
        assert ident and kind and title and starts and ends  # guaranteed by no new errors
        events.append(
            Event(
                id=ident,
                kind=kind,
                title=title,
                starts=starts,
                ends=ends,
                venue=venue,
                audience=audience,
                remind=kind in REMINDED_KINDS if remind is None else remind,
                arrive_early=arrive_early,
                **event_fields,
            )
        )
    return events


def _minutes(table: TableReader, key: str) -> int | None:
    """An optional whole, non-negative number of minutes."""
    value = table.value(key, False)
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        table.error(key, f"must be a whole number of minutes, not {type_name(value)}")
        return None
    if value < 0:
        table.error(key, f"must not be negative, not {value}")
        return None
    return value


def _audience(table: TableReader, group_ids: set[str]) -> tuple[str, ...] | None:
    value = table.value("audience", False)
    if value is MISSING:
        return None
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        table.error("audience", "must be an array of group ids")
        return None
    if not value:
        table.error("audience", "must name at least one group (omit it for everyone)")
        return None
    for group in value:
        if group not in group_ids:
            table.error("audience", f"unknown group {group!r}")
    return tuple(dict.fromkeys(value))  # repeated ids once, in the file's order
