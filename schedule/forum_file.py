"""Reading the organisers' forum file (TOML) into a validated :class:`Forum`.

Every problem is collected before anything is raised, so an organiser fixes the whole
file in one pass. Each message names the file, the table and the field. This module
reads the file and its ``[forum]`` table; the arrays of tables are read by
:mod:`schedule.forum_tables`, :mod:`schedule.forum_agreements` and
:mod:`schedule.logistics_file`.
"""

from __future__ import annotations

import tomllib
from os import PathLike
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schedule.forum_agreements import parse_agreements
from schedule.forum_fields import MISSING, TableReader, array_of_tables, type_name
from schedule.forum_tables import (
    parse_delegates,
    parse_events,
    parse_groups,
    parse_venues,
    table_label,
)
from schedule.logistics_file import parse_logistics
from schedule.model import Forum
from schedule.toml_limits import shape_problem

SAMPLE_FORUM_PATH: Path = Path(__file__).parent / "data" / "dushanbe-2023.toml"

_TOP_KEYS = frozenset(
    {"forum", "venue", "group", "delegate", "event", "agreement", "transport", "contact"}
)
_FORUM_KEYS = frozenset({"name", "city", "timezone"})


class ForumFileError(ValueError):
    """The forum file cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


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
    venues = parse_venues(errors, filename, doc)
    groups = parse_groups(errors, filename, doc)
    venue_ids = {v.id for v in venues}
    group_ids = {g.id for g in groups}
    delegates = parse_delegates(errors, filename, doc, group_ids)
    events = parse_events(errors, filename, doc, tz or ZoneInfo("UTC"), venue_ids, group_ids)
    agreements = parse_agreements(
        errors,
        filename,
        array_of_tables(errors, filename, doc, "agreement"),
        lambda data, number: table_label("agreement", data, "id", number),
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
