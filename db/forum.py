"""The stored programme: importing a forum file, reading events, moving and cancelling them.

An import is one transaction that reconciles the database with the file: events are
matched by id and never deleted (attendance refers to them), delegates are matched by
code among those that came from the file and keep their Telegram binding.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from db.agreements import import_agreements, list_agreements
from db.connection import Database, to_db
from db.event_rows import event_values, select_events, update_event, with_changes
from db.logistics import import_contacts, import_travel, load_contacts
from db.transport import import_transports, load_transports
from db.venues_and_groups import load_groups, load_venues, replace_groups, replace_venues
from schedule.model import (
    DelegateEntry,
    Event,
    EventChange,
    EventStatus,
    Forum,
    ImportReport,
)

EVENT_STATUSES: tuple[EventStatus, ...] = ("scheduled", "cancelled", "removed")

_EventOutcome = tuple[tuple[str, ...], tuple[EventChange, ...], tuple[str, ...]]


class ForumImportError(Exception):
    """The forum cannot be imported as it stands (the transaction was rolled back)."""


def forum_hash(text: str) -> str:
    """The sha256 hex digest of the forum file's text (to tell whether it changed)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def stored_forum_hash(db: Database) -> str | None:
    row = await db.fetchone("SELECT source_hash FROM forum WHERE id = 1")
    return row["source_hash"] if row else None


class _DryRun(Exception):
    """Rolls back the transaction of an import that was only to be looked at."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


async def import_forum(
    db: Database, forum: Forum, *, source_hash: str, now: datetime, dry_run: bool = False
) -> ImportReport:
    """Reconcile the stored programme and file delegates with ``forum``, atomically.

    Importing the same forum twice changes nothing the second time. With ``dry_run``, the
    same reconciliation is done and rolled back: the report says what an import would do.
    """
    try:
        return await _import(db, forum, source_hash=source_hash, now=now, dry_run=dry_run)
    except _DryRun as done:
        return done.report


async def _import(
    db: Database, forum: Forum, *, source_hash: str, now: datetime, dry_run: bool
) -> ImportReport:
    stamp = to_db(now)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO forum (id, name, city, timezone, source_hash, imported_at)"
            " VALUES (1, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, city = excluded.city,"
            " timezone = excluded.timezone, source_hash = excluded.source_hash,"
            " imported_at = excluded.imported_at",
            (forum.name, forum.city, forum.timezone.key, source_hash, stamp),
        )
        await replace_venues(conn, forum.venues)
        await replace_groups(conn, forum.groups)
        added, changed, removed = await _import_events(conn, forum.events, stamp)
        *delegates, gone = await _import_delegates(conn, forum.delegates)
        await import_agreements(conn, forum.agreements, now)
        transports = await import_transports(conn, forum.transports, stamp)
        contacts = await import_contacts(conn, forum.contacts)
        travel = await import_travel(conn, forum.delegates)
        report = ImportReport(
            added, changed, removed, *delegates, transports, contacts, travel,
            removed_delegates=gone,
        )  # fmt: skip
        if dry_run:
            raise _DryRun(report)
    return report


async def _import_events(
    conn: aiosqlite.Connection, events: tuple[Event, ...], stamp: str
) -> _EventOutcome:
    stored = {e.id: e for e in await select_events(conn, "", ())}
    added: list[str] = []
    changed: list[EventChange] = []
    removed: list[str] = []
    for event in events:
        event = with_changes(event, status="scheduled")
        before = stored.get(event.id)
        if before is None:
            await conn.execute(
                "INSERT INTO event (id, kind, title, starts_at, ends_at, venue_id, audience,"
                " speaker, description, remind, dress, arrive_early, bring, status,"
                " scheduled_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.id, *event_values(event), stamp, stamp),
            )
            added.append(event.id)
        elif before != event:
            await update_event(conn, event, stamp, new_time=before.starts != event.starts)
            changed.append(EventChange(before, event))
    for gone in sorted(stored.keys() - {e.id for e in events}):
        before = stored[gone]
        if before.status != "removed":
            # Kept, not deleted: attendance and deliveries still point at it.
            after = with_changes(before, status="removed")
            await update_event(conn, after, stamp, new_time=False)
            changed.append(EventChange(before, after))
            removed.append(gone)
    return tuple(added), tuple(changed), tuple(removed)


async def _import_delegates(
    conn: aiosqlite.Connection, entries: tuple[DelegateEntry, ...]
) -> tuple[int, int, int, tuple[str, ...]]:
    """Returns (added, changed, removed, the names of those removed); a delegate back in
    the file counts as added."""
    async with conn.execute(
        "SELECT id, code, name, position, group_id, role, source, active FROM delegate"
        " WHERE code IS NOT NULL"
    ) as cur:
        rows = {row["code"]: row for row in await cur.fetchall()}
    added = changed = removed = 0
    for entry in entries:
        row = rows.get(entry.code)
        if row is None:
            await conn.execute(
                "INSERT INTO delegate (code, name, position, group_id, role, source)"
                " VALUES (?, ?, ?, ?, ?, 'file')",
                (entry.code, entry.name, entry.position, entry.group, entry.role),
            )
            added += 1
            continue
        if row["source"] != "file":
            raise ForumImportError(
                f"delegate code {entry.code!r} is already used by an {row['source']} delegate"
            )
        same = (row["name"], row["position"], row["group_id"], row["role"]) == (
            entry.name,
            entry.position,
            entry.group,
            entry.role,
        )
        if same and row["active"]:
            continue
        # Only the file's fields: the Telegram binding and preferences stay as they are.
        await conn.execute(
            "UPDATE delegate SET name = ?, position = ?, group_id = ?, role = ?, active = 1"
            " WHERE id = ?",
            (entry.name, entry.position, entry.group, entry.role, row["id"]),
        )
        if row["active"]:
            changed += 1
        else:
            added += 1
    codes = {e.code for e in entries}
    gone: list[str] = []
    for code, row in rows.items():
        if row["source"] == "file" and row["active"] and code not in codes:
            await conn.execute("UPDATE delegate SET active = 0 WHERE id = ?", (row["id"],))
            removed += 1
            gone.append(row["name"])
    return added, changed, removed, tuple(sorted(gone, key=str.casefold))


async def load_forum(db: Database) -> Forum | None:
    """The stored forum with venues, groups, every event (any status) and the agreements the
    file lists; no delegates."""
    row = await db.fetchone("SELECT name, city, timezone FROM forum WHERE id = 1")
    if row is None:
        return None
    return Forum(
        name=row["name"],
        city=row["city"],
        timezone=ZoneInfo(row["timezone"]),
        venues=tuple(await load_venues(db.conn)),
        groups=tuple(await load_groups(db.conn)),
        events=tuple(await select_events(db.conn, "", ())),
        agreements=tuple(await list_agreements(db)),
        transports=tuple(await load_transports(db.conn)),
        contacts=tuple(await load_contacts(db.conn)),
    )


async def get_event(db: Database, event_id: str) -> Event | None:
    events = await select_events(db.conn, "WHERE id = ?", (event_id,))
    return events[0] if events else None


async def list_events(db: Database, *, include_inactive: bool = False) -> list[Event]:
    """Events by start time (then id); only scheduled ones unless ``include_inactive``."""
    if include_inactive:
        return await select_events(db.conn, "", ())
    return await select_events(db.conn, "WHERE status = ?", ("scheduled",))


async def reschedule_event(
    db: Database, event_id: str, starts: datetime, ends: datetime, now: datetime
) -> EventChange | None:
    """Move an event (organisers' /move); None when there is no such event."""
    if ends <= starts:
        raise ValueError("an event must end after it starts")
    return await _change_event(db, event_id, now, starts=starts, ends=ends)


async def set_event_status(
    db: Database, event_id: str, status: EventStatus, now: datetime
) -> EventChange | None:
    """Cancel or reinstate an event (organisers' /cancel); None when there is no such event."""
    if status not in EVENT_STATUSES:
        raise ValueError(f"unknown event status {status!r}")
    return await _change_event(db, event_id, now, status=status)


async def _change_event(
    db: Database, event_id: str, now: datetime, **changes: Any
) -> EventChange | None:
    """Read, change and write one event in one transaction; None when there is none."""
    async with db.transaction() as conn:
        found = await select_events(conn, "WHERE id = ?", (event_id,))
        if not found:
            return None
        before = found[0]
        after = with_changes(before, **changes)
        if after != before:
            await update_event(conn, after, to_db(now), new_time=before.starts != after.starts)
    return EventChange(before, after)
