"""The bot's routers, in priority order: features first, the fallback last."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    agreements,
    attendance,
    broadcast,
    calendar,
    fallback,
    language,
    logistics,
    organisers,
    people,
    programme,
    reminders,
    start,
)


def get_routers() -> list[Router]:
    """Fresh routers for one dispatcher (a router can be attached to one dispatcher only)."""
    return [
        start.create_router(),
        programme.create_router(),
        calendar.create_router(),
        logistics.create_router(),
        language.create_router(),
        reminders.create_router(),
        attendance.create_router(),
        agreements.create_router(),  # before broadcast: a photo replying to a card is for it
        broadcast.create_router(),  # before organisers: /cancel alone ends a broadcast flow
        organisers.create_router(),
        people.create_router(),
        fallback.create_router(),  # must stay last: it answers whatever nobody else took
    ]
