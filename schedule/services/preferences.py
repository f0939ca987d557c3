"""A delegate changes their reminder preferences."""

from __future__ import annotations

from collections.abc import Sequence

from db import delegates
from db.connection import Database
from schedule.model import Delegate
from schedule.preferences import changed_preferences


async def change_reminders(
    db: Database, delegate: Delegate, configured: Sequence[float], action: str, offset: str
) -> Delegate:
    """Apply a press of the /reminders keyboard; the delegate as stored afterwards.
    Raises ``PreferenceError`` (and stores nothing) for a press that does not apply."""
    on, offsets = changed_preferences(delegate, configured, action, offset)
    await delegates.set_reminders(db, delegate.id, on=on, offsets=offsets)
    return await delegates.by_id(db, delegate.id) or delegate


async def choose_language(
    db: Database, delegate: Delegate | None, telegram_id: int, language: str
) -> None:
    """Remember the reader's language: on the delegate, or on the Telegram account of an
    organiser or stranger who is not one."""
    if delegate is not None:
        await delegates.set_language(db, delegate.id, language)
    else:
        await delegates.set_user_language(db, telegram_id, language)
