"""The morning briefing pinned in each delegate's chat: which message, for which day, and
what it said (so that it is edited only when the day's agenda changed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from db.connection import Database, to_db


@dataclass(frozen=True, slots=True)
class DayPin:
    delegate_id: int
    day: date
    chat_id: int
    message_id: int
    digest: str


def _pin(row: object) -> DayPin:
    return DayPin(
        row["delegate_id"],  # type: ignore[index]
        date.fromisoformat(row["day"]),  # type: ignore[index]
        row["chat_id"],  # type: ignore[index]
        row["message_id"],  # type: ignore[index]
        row["digest"],  # type: ignore[index]
    )


async def pin_of(db: Database, delegate_id: int) -> DayPin | None:
    row = await db.fetchone(
        "SELECT delegate_id, day, chat_id, message_id, digest FROM day_pin WHERE delegate_id = ?",
        (delegate_id,),
    )
    return _pin(row) if row else None


async def pins_of_day(db: Database, day: date) -> list[DayPin]:
    rows = await db.fetchall(
        "SELECT delegate_id, day, chat_id, message_id, digest FROM day_pin WHERE day = ?"
        " ORDER BY delegate_id",
        (day.isoformat(),),
    )
    return [_pin(r) for r in rows]


async def save_pin(db: Database, pin: DayPin, now: datetime) -> None:
    """The delegate's pin is now this message (one pin per delegate: the day's)."""
    await db.execute(
        "INSERT INTO day_pin (delegate_id, day, chat_id, message_id, digest, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (delegate_id) DO UPDATE SET day = excluded.day,"
        " chat_id = excluded.chat_id, message_id = excluded.message_id,"
        " digest = excluded.digest, updated_at = excluded.updated_at",
        (pin.delegate_id, pin.day.isoformat(), pin.chat_id, pin.message_id, pin.digest,
         to_db(now)),
    )  # fmt: skip


async def set_digest(db: Database, delegate_id: int, digest: str, now: datetime) -> None:
    await db.execute(
        "UPDATE day_pin SET digest = ?, updated_at = ? WHERE delegate_id = ?",
        (digest, to_db(now), delegate_id),
    )


async def forget_pin(db: Database, delegate_id: int) -> None:
    await db.execute("DELETE FROM day_pin WHERE delegate_id = ?", (delegate_id,))
