"""The event table's rows and :class:`Event`, both ways: the one SELECT, the one UPDATE.

Shared by the import and by /move and /cancel (:mod:`db.forum`), so that an event is
written the same way whoever changes it.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import aiosqlite

from db.connection import from_db, to_db
from schedule.model import Event, Localized

_EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))


async def update_event(
    conn: aiosqlite.Connection, event: Event, stamp: str, *, new_time: bool
) -> None:
    # scheduled_at marks when starts_at was last set: reminders computed earlier are void.
    await conn.execute(
        "UPDATE event SET kind = ?, title = ?, starts_at = ?, ends_at = ?, venue_id = ?,"
        " audience = ?, speaker = ?, description = ?, remind = ?, dress = ?, arrive_early = ?,"
        " bring = ?, status = ?, updated_at = ?,"
        " scheduled_at = CASE WHEN ? THEN ? ELSE scheduled_at END"
        " WHERE id = ?",
        (*event_values(event), stamp, new_time, stamp, event.id),
    )


def with_changes(event: Event, **changes: Any) -> Event:
    values = {name: getattr(event, name) for name in _EVENT_FIELDS}
    values.update(changes)
    return Event(**values)


def _json_text(text: Localized | None) -> str | None:
    if text is None:
        return None
    return json.dumps(text.as_dict(), ensure_ascii=False, sort_keys=True)


def event_values(event: Event) -> tuple[Any, ...]:
    """The event's columns from ``kind`` to ``status``, in the table's order."""
    return (
        event.kind,
        _json_text(event.title),
        to_db(event.starts),
        to_db(event.ends),
        event.venue,
        None if event.audience is None else json.dumps(list(event.audience)),
        event.speaker,
        _json_text(event.description),
        int(event.remind),
        event.dress,
        event.arrive_early,
        _json_text(event.bring),
        event.status,
    )


def _localized(text: str | None) -> Localized | None:
    return None if text is None else Localized(json.loads(text))


def _event(row: aiosqlite.Row) -> Event:
    audience = row["audience"]
    return Event(
        id=row["id"],
        kind=row["kind"],
        title=Localized(json.loads(row["title"])),
        starts=from_db(row["starts_at"]),  # type: ignore[arg-type]  # NOT NULL column
        ends=from_db(row["ends_at"]),  # type: ignore[arg-type]
        venue=row["venue_id"],
        audience=None if audience is None else tuple(json.loads(audience)),
        speaker=row["speaker"],
        description=_localized(row["description"]),
        remind=bool(row["remind"]),
        dress=row["dress"],
        arrive_early=row["arrive_early"],
        bring=_localized(row["bring"]),
        status=row["status"],
    )


async def select_events(
    conn: aiosqlite.Connection, where: str, params: tuple[Any, ...]
) -> list[Event]:
    # ``where`` is always one of db.forum's literals; values go through ``params``.
    async with conn.execute(f"SELECT * FROM event {where} ORDER BY starts_at, id", params) as cur:
        return [_event(row) for row in await cur.fetchall()]
