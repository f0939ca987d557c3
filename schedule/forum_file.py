"""Reading the organisers' forum file (TOML) into a validated :class:`Forum`.

Every problem is collected before anything is raised, so an organiser fixes the whole
file in one pass. Each message names the file, the table and the field.
"""

from __future__ import annotations

import tomllib
from os import PathLike
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schedule.forum_agreements import parse_agreements
from schedule.forum_fields import CODE_RE, MISSING, TableReader, array_of_tables, type_name
from schedule.invitations import code_weakness
from schedule.logistics_file import TRAVEL_KEYS, parse_logistics
from schedule.model import (
    EVENT_KINDS,
    REMINDED_KINDS,
    ROLES,
    DelegateEntry,
    Event,
    Forum,
    Group,
    Venue,
)
from schedule.toml_limits import shape_problem

SAMPLE_FORUM_PATH: Path = Path(__file__).parent / "data" / "dushanbe-2023.toml"

STRONG_CODE_HINT = (
    "A random one: python3 -c 'import secrets; print(secrets.token_urlsafe(12))'"
)
_TOP_KEYS = frozenset(
    {"forum", "venue", "group", "delegate", "event", "agreement", "transport", "contact"}
)
_FORUM_KEYS = frozenset({"name", "city", "timezone"})
_VENUE_KEYS = frozenset({"id", "name", "address", "lat", "lon"})
_GROUP_KEYS = frozenset({"id", "name"})
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


class ForumFileError(ValueError):
    """The forum file cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


def _label(kind: str, data: dict[str, Any], key: str, number: int) -> str:
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


def parse_forum(text: str, filename: str) -> Forum:
    """Parse and validate a forum file's text; ``filename`` is used in messages.

    Whatever the text, the only exception is :class:`ForumFileError`: a file too large or
    too deeply nested is refused before it is parsed (:mod:`schedule.toml_limits`).
    """
    # Editors on Windows save UTF-8 with a byte order mark; TOML does not allow one.
    text = text.removeprefix("\ufeff")
    problem = shape_problem(text)
    if problem is not None:
        raise ForumFileError([f"{filename}: too large or too deep to be a forum file: {problem}"])
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message carries the line and column
        raise ForumFileError([f"{filename}: TOML syntax error: {exc}"]) from exc
    except RecursionError as exc:  # what the shape check let through still gets a name
        raise ForumFileError([f"{filename}: arrays or tables are nested too deeply"]) from exc
    errors: list[str] = []
    for key in doc:
        if key not in _TOP_KEYS:
            errors.append(f'{filename}: top level: field "{key}": unknown key')

    tz = _parse_forum_table(errors, filename, doc)
    venues = _parse_venues(errors, filename, doc)
    groups = _parse_groups(errors, filename, doc)
    venue_ids = {v.id for v in venues}
    group_ids = {g.id for g in groups}
    delegates = _parse_delegates(errors, filename, doc, group_ids)
    events = _parse_events(errors, filename, doc, tz or ZoneInfo("UTC"), venue_ids, group_ids)
    agreements = parse_agreements(
        errors,
        filename,
        array_of_tables(errors, filename, doc, "agreement"),
        lambda data, number: _label("agreement", data, "id", number),
        event_ids=_declared(doc, "event", "id"),
        delegate_codes=_declared(doc, "delegate", "code"),
    )
    logistics = parse_logistics(
        errors, filename, doc, tz or ZoneInfo("UTC"), venue_ids=venue_ids, group_ids=group_ids,
        codes=_declared(doc, "delegate", "code"), event_ids=_declared(doc, "event", "id"),
    )  # fmt: skip

    if errors or tz is None:
        raise ForumFileError(errors)
    forum_table = doc["forum"]
    return Forum(
        name=forum_table["name"],
        city=forum_table["city"],
        timezone=tz,
        venues=tuple(venues),
        groups=tuple(groups),
        delegates=logistics.delegates(delegates),
        events=tuple(events),
        agreements=tuple(agreements),
        transports=logistics.transports,
        contacts=logistics.contacts,
    )


def _declared(doc: dict[str, Any], key: str, field: str) -> set[str]:
    """The ids the file's ``[[key]]`` tables declare, valid or not (each is checked there)."""
    tables = doc.get(key)
    if not isinstance(tables, list):
        return set()
    return {t[field] for t in tables if isinstance(t, dict) and isinstance(t.get(field), str)}


def load_forum_file(path: str | PathLike[str]) -> Forum:
    """Read (UTF-8) and parse the forum file at ``path``."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ForumFileError(
            [f"{name}: not valid UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from exc
    except OSError as exc:
        raise ForumFileError([f"{name}: cannot read the file: {exc.strerror or exc}"]) from exc
    return parse_forum(text, name)


def _parse_forum_table(errors: list[str], filename: str, doc: dict[str, Any]) -> ZoneInfo | None:
    data = doc.get("forum", MISSING)
    if data is MISSING:
        errors.append(f"{filename}: forum: missing the [forum] table")
        return None
    if not isinstance(data, dict):
        errors.append(
            f'{filename}: top level: field "forum": must be a table, not {type_name(data)}'
        )
        return None
    table = TableReader(errors, filename, "forum", data, _FORUM_KEYS)
    table.text("name", required=True)
    table.text("city", required=True)
    zone = table.text("timezone", required=True)
    if zone is None:
        return None
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        table.error("timezone", f"unknown IANA time zone {zone!r}")
        return None


def _parse_venues(errors: list[str], filename: str, doc: dict[str, Any]) -> list[Venue]:
    venues: list[Venue] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "venue"), start=1):
        table = TableReader(
            errors, filename, _label("venue", data, "id", number), data, _VENUE_KEYS
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


def _parse_groups(errors: list[str], filename: str, doc: dict[str, Any]) -> list[Group]:
    groups: list[Group] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "group"), start=1):
        table = TableReader(
            errors, filename, _label("group", data, "id", number), data, _GROUP_KEYS
        )
        ident = table.ident("id")
        _check_unique(table, "id", ident, seen, "group id")
        name = table.text("name", required=True)
        if ident is not None and name is not None:
            groups.append(Group(id=ident, name=name))
    return groups


def _parse_delegates(
    errors: list[str], filename: str, doc: dict[str, Any], group_ids: set[str]
) -> list[DelegateEntry]:
    delegates: list[DelegateEntry] = []
    seen: set[str] = set()
    for number, data in enumerate(array_of_tables(errors, filename, doc, "delegate"), start=1):
        label = _label("delegate", data, "code", number)
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


def _parse_events(
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
            errors, filename, _label("event", data, "id", number), data, _EVENT_KEYS
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
