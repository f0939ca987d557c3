"""The demo's rehearsal: the forum file moved so that it starts today with an event a few
minutes away, the person at the keyboard as a registered delegate and the only organiser,
and a throwaway database that holds it all before the application starts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from aiogram.types import User

from bot.settings import Settings
from db.connection import open_db
from db.delegates import register_with_code
from db.forum import forum_hash, import_forum
from schedule.forum_file import SAMPLE_FORUM_PATH, parse_forum
from schedule.model import Event, Forum, Transport
from schedule.shift import first_reminded_event, shift_forum

DEMO_USER = User(
    id=100001,
    is_bot=False,
    first_name="Anvar",
    last_name="Shernayev",
    username="demo_delegate",
    language_code="en",
)
PREFERRED_CODE = "tict-Hq7mX2vL9p"
ANCHOR_IN = timedelta(minutes=6)
DEMO_REMINDER = 5.0  # minutes: a reminder arrives a minute into the demo
# The car or bus to the anchor event leaves this soon; its reminder comes 2 minutes before.
DEPARTURE_IN = timedelta(minutes=3)
DEMO_TRANSPORT_REMINDER = 2.0
# A protocol officer of the delegation, registered in another chat, hears "running late".
PROTOCOL_CHAT = 100002


@dataclass(frozen=True, slots=True)
class Rehearsal:
    """The demo's forum: shifted, and what to tell the person about it."""

    forum: Forum
    source_text: str
    anchor: Event | None
    code: str | None
    departure: Transport | None = None  # the one leaving a few minutes from now


def rehearsal_forum(text: str, filename: str, now: datetime) -> Rehearsal:
    """Parse the forum file and move it so that it starts today, an event in a few minutes."""
    forum = parse_forum(text, filename)
    today = now.astimezone(forum.timezone).date()
    anchor = first_reminded_event(forum)
    shifted = shift_forum(
        forum,
        first_day=today,
        anchor_event_id=anchor.id if anchor else None,
        anchor_start=now + ANCHOR_IN if anchor else None,
    )
    codes = [d.code for d in forum.delegates]
    grouped = [d.code for d in forum.delegates if d.group]
    code = PREFERRED_CODE if PREFERRED_CODE in codes else (grouped or codes or [None])[0]
    moved = next((e for e in shifted.events if anchor and e.id == anchor.id), None)
    shifted, departure = _soon_departure(shifted, moved, now)
    return Rehearsal(shifted, text, moved, code, departure)


def _soon_departure(
    forum: Forum, anchor: Event | None, now: datetime
) -> tuple[Forum, Transport | None]:
    """The transport to the anchor event leaves a few minutes from now, so that its
    reminder (and "I'm running late") comes up while the person tries the bot."""
    if anchor is None:
        return forum, None
    ride = next((t for t in forum.transports if t.event == anchor.id and t.is_active), None)
    if ride is None:
        return forum, None
    departs = now + DEPARTURE_IN
    arrives = departs + (ride.arrives - ride.departs) if ride.arrives else None
    moved = dataclasses.replace(ride, departs=departs, arrives=arrives)
    transports = tuple(moved if t.id == ride.id else t for t in forum.transports)
    return dataclasses.replace(forum, transports=transports), moved


def demo_settings(settings: Settings, folder: Path) -> Settings:
    """A throwaway database, the person as the only organiser, one reminder soon."""
    return dataclasses.replace(
        settings,
        bot_token=None,
        database_path=folder / "demo.sqlite3",
        forum_file=settings.forum_file or SAMPLE_FORUM_PATH,
        admin_ids=frozenset({DEMO_USER.id}),
        reminder_offsets=tuple(sorted({*settings.reminder_offsets, DEMO_REMINDER}, reverse=True)),
        transport_reminder_minutes=DEMO_TRANSPORT_REMINDER,
    )


async def prepare_database(settings: Settings, rehearsal: Rehearsal, now: datetime) -> None:
    """Recreate the demo database with the shifted programme.

    It is stored under the hash of the file as written, so the application's start-up
    import sees the file as already imported and keeps the shifted times.
    """
    path = settings.database_path
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240 - tiny, once
    db = await open_db(path)
    try:
        await import_forum(
            db, rehearsal.forum, source_hash=forum_hash(rehearsal.source_text), now=now
        )
        # Registered since the start of today: the day's briefing comes (and is pinned) at
        # 08:00, at once if that has passed. The protocol officer sits in another chat.
        tz = rehearsal.forum.timezone
        midnight = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
        if rehearsal.code is not None:
            await register_with_code(db, rehearsal.code, DEMO_USER.id, midnight, language="en")
        protocol = next((d for d in rehearsal.forum.delegates if d.role == "protocol"), None)
        if protocol is not None and protocol.code != rehearsal.code:
            await register_with_code(db, protocol.code, PROTOCOL_CHAT, midnight, language="en")
    finally:
        await db.close()
