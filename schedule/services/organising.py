"""The organisers' use-cases: move, cancel, import an uploaded file, invite, read the log.

Each writes what it changes, its line in the organisers' log and, through
:class:`ProgrammeChanges`, the change notices, so a handler only parses and renders.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from db import audit, delegates, pending_imports
from db.connection import Database
from db.forum import (
    forum_hash,
    get_event,
    import_forum,
    reschedule_event,
    set_event_status,
    stored_forum_hash,
)
from db.transport import get_transport, reschedule_transport, set_transport_status
from schedule.imports import ImportPreview, confirmation_expired, needs_confirmation
from schedule.invitations import parse_invite
from schedule.model import (
    Delegate,
    Event,
    EventChange,
    Forum,
    ImportReport,
    LogEntry,
    Transport,
    TransportChange,
)
from schedule.moves import MoveError, parse_departure_move, parse_move
from schedule.rules import event_when
from schedule.services.changes import ProgrammeChanges
from schedule.services.importing import parse_off_loop
from schedule.services.programme import Programme


class UnknownEvent(LookupError):
    """No event has the id an organiser typed (or pressed)."""


class AlreadyCancelled(ValueError):
    def __init__(self, event: Event | Transport) -> None:
        super().__init__(event.id)
        self.event = event


@dataclass(frozen=True, slots=True)
class Moved:
    change: EventChange | TransportChange  # /move takes an event id or a transport id
    forum: Forum


@dataclass(frozen=True, slots=True)
class Cancellable:
    event: Event | Transport
    forum: Forum


@dataclass(frozen=True, slots=True)
class Invited:
    delegate: Delegate
    group: str | None


async def move_event(
    db: Database,
    programme: Programme,
    changes: ProgrammeChanges,
    *,
    organiser_id: int,
    event_id: str,
    when: str,
    now: datetime,
) -> Moved:
    """Move an event or a departure to ``when`` (forum time); raises :class:`UnknownEvent`
    or ``MoveError``."""
    event = await get_event(db, event_id)
    if event is None:
        return await _move_departure(
            db, programme, changes, organiser_id=organiser_id, transport_id=event_id,
            when=when, now=now,
        )  # fmt: skip
    forum = await programme.forum()
    starts, ends = parse_move(when, event, forum.timezone, now)
    change = await reschedule_event(db, event.id, starts, ends, now)
    if change is None:  # removed between the read and the write
        raise UnknownEvent(event_id)
    tz = forum.timezone
    detail = f"{event.id}: {event_when(event, tz)} -> {event_when(change.after, tz)}"
    await audit.log_action(db, organiser_id, "move", detail, now)
    await changes.apply([change])
    return Moved(change, forum)


async def _move_departure(
    db: Database,
    programme: Programme,
    changes: ProgrammeChanges,
    *,
    organiser_id: int,
    transport_id: str,
    when: str,
    now: datetime,
) -> Moved:
    transport = await get_transport(db, transport_id)
    if transport is None:
        raise UnknownEvent(transport_id)
    forum = await programme.forum()
    departs, arrives = parse_departure_move(when, transport, forum.timezone, now)
    change = await reschedule_transport(db, transport.id, departs, arrives, now)
    if change is None:
        raise UnknownEvent(transport_id)
    tz = forum.timezone
    old, new = transport.departs.astimezone(tz), departs.astimezone(tz)
    detail = f"{transport.id}: {old:%Y-%m-%d %H:%M} -> {new:%Y-%m-%d %H:%M}"
    await audit.log_action(db, organiser_id, "move", detail, now)
    await changes.apply([change])
    return Moved(change, forum)


async def cancellable(db: Database, programme: Programme, event_id: str) -> Cancellable:
    """The event (or departure) an organiser asks to cancel, before the confirmation."""
    event: Event | Transport | None = await get_event(db, event_id)
    if event is None:
        event = await get_transport(db, event_id)
    if event is None:
        raise UnknownEvent(event_id)
    if not event.is_active:
        raise AlreadyCancelled(event)
    return Cancellable(event, await programme.forum())


async def cancel_event(
    db: Database, changes: ProgrammeChanges, *, organiser_id: int, event_id: str, now: datetime
) -> EventChange | TransportChange:
    """Cancel a scheduled event or departure (confirmed); raises :class:`UnknownEvent` when
    it is gone or no longer scheduled, which makes a second press of the button harmless."""
    event = await get_event(db, event_id)
    if event is None:
        transport = await get_transport(db, event_id)
        if transport is None or not transport.is_active:
            raise UnknownEvent(event_id)
        departure = await set_transport_status(db, transport.id, "cancelled", now)
        if departure is None:
            raise UnknownEvent(event_id)
        await audit.log_action(db, organiser_id, "cancel", transport.id, now)
        await changes.apply([departure])
        return departure
    if not event.is_active:
        raise UnknownEvent(event_id)
    change: EventChange | None = await set_event_status(db, event.id, "cancelled", now)
    if change is None:
        raise UnknownEvent(event_id)
    await audit.log_action(db, organiser_id, "cancel", event.id, now)
    await changes.apply([change])
    return change


class ImportExpired(LookupError):
    """The confirmed upload is gone: already imported, dropped, replaced or too old."""


async def import_upload(
    db: Database,
    changes: ProgrammeChanges,
    *,
    organiser_id: int,
    text: str,
    filename: str,
    now: datetime,
) -> ImportReport | ImportPreview:
    """Validate and import a forum file sent with /import; raises ``ForumFileError`` or
    ``ForumImportError`` and changes nothing when it is invalid.

    An import that would remove delegates or more than a few events is not done: it is
    kept for :func:`confirm_import`, and what it would do is returned instead.
    """
    forum = await parse_off_loop(text, filename)
    source_hash = await _source_hash(db, text)
    would = await import_forum(db, forum, source_hash=source_hash, now=now, dry_run=True)
    if needs_confirmation(would):
        token = secrets.token_urlsafe(6)
        await pending_imports.put(db, token, organiser_id, filename, text, now)
        return ImportPreview(token, filename, would)
    return await _import(db, changes, organiser_id, forum, text, filename, now)


async def confirm_import(
    db: Database, changes: ProgrammeChanges, *, organiser_id: int, token: str, now: datetime
) -> tuple[str, ImportReport]:
    """Import the upload the organiser confirmed: (its file name, what was done). Raises
    :class:`ImportExpired` when it is no longer waiting (a second press imports nothing),
    or what :func:`import_upload` raises."""
    pending = await pending_imports.take(db, token, organiser_id)
    if pending is None or confirmation_expired(pending.created_at, now):
        raise ImportExpired(token)
    forum = await parse_off_loop(pending.text, pending.filename)
    report = await _import(db, changes, organiser_id, forum, pending.text, pending.filename, now)
    return pending.filename, report


async def drop_import(db: Database, *, organiser_id: int, token: str) -> bool:
    """The organiser keeps the programme as it is; False when nothing was waiting."""
    return await pending_imports.take(db, token, organiser_id) is not None


async def _source_hash(db: Database, text: str) -> str:
    # The stored hash stays that of FORUM_FILE: it tells the next start whether the file on
    # disk changed. Storing this upload's hash would make every restart re-import the older
    # file on disk over this import (and tell everyone of the reversal).
    return await stored_forum_hash(db) or forum_hash(text)


async def _import(
    db: Database,
    changes: ProgrammeChanges,
    organiser_id: int,
    forum: Forum,
    text: str,
    filename: str,
    now: datetime,
) -> ImportReport:
    source_hash = await _source_hash(db, text)
    report = await import_forum(db, forum, source_hash=source_hash, now=now)
    moved = len(report.changed) - len(report.removed)
    detail = (
        f"{filename}: +{len(report.added)} ~{moved} -{len(report.removed)}; delegates "
        f"+{report.delegates_added} ~{report.delegates_changed} -{report.delegates_removed}"
    )
    await audit.log_action(db, organiser_id, "import", detail, now)
    await changes.apply(report.programme_changes)
    return report


def new_code() -> str:
    """A fresh personal code: 96 random bits, letters, digits, '-' and '_' (fits /start)."""
    return secrets.token_urlsafe(12)


async def invite(
    db: Database, programme: Programme, *, organiser_id: int, args: str, now: datetime
) -> Invited:
    """Add a delegate with a fresh personal code; raises ValueError for a bad name."""
    forum = await programme.forum()
    name, group = parse_invite(args, {g.id for g in forum.groups})
    delegate = await delegates.create_invited(db, name, new_code(), group=group)
    await audit.log_action(db, organiser_id, "invite", f"{name} ({group or '-'})", now)
    return Invited(delegate, group)


async def recent_actions(db: Database, limit: int = 20) -> list[tuple[LogEntry, str | None]]:
    """The latest log lines, each with the organiser's name when they are also a delegate."""
    entries = await audit.recent(db, limit)
    names: dict[int, str | None] = {}
    for organiser_id in {e.organiser_id for e in entries}:
        person = await delegates.by_telegram_id(db, organiser_id)
        names[organiser_id] = person.name if person else None
    return [(e, names[e.organiser_id]) for e in entries]


__all__ = [
    "AlreadyCancelled",
    "Cancellable",
    "ImportExpired",
    "ImportPreview",
    "Invited",
    "MoveError",
    "Moved",
    "UnknownEvent",
    "cancel_event",
    "cancellable",
    "confirm_import",
    "drop_import",
    "import_upload",
    "invite",
    "move_event",
    "new_code",
    "recent_actions",
]
