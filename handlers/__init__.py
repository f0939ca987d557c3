"""The bot's routers, in priority order: features first, the fallback last.

An update walks the routers in this order until one takes it, and each router it passes
costs about 40 µs (BENCHMARKS.md), as much as a fifth of a plain answer: the delegates'
everyday commands (/next, /schedule, /checkin) come first. Commands are taken by exactly
one router each (``tests/test_routers.py``), so the order decides only for updates that
are not commands: a photo, a text in a flow, the fallback.
"""

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
from handlers.filters import commands_only


def get_routers() -> list[Router]:
    """Fresh routers for one dispatcher (a router can be attached to one dispatcher only).
    A router that takes only commands refuses any other message at once (its gate)."""
    routers = [
        programme.create_router(),
        attendance.create_router(),
        start.create_router(),
        calendar.create_router(),
        logistics.create_router(),
        language.create_router(),
        reminders.create_router(),
        agreements.create_router(),  # before broadcast: a photo replying to a card is for it
        broadcast.create_router(),  # before organisers: /cancel alone ends a broadcast flow
        organisers.create_router(),
        people.create_router(),
        fallback.create_router(),  # must stay last: it answers whatever nobody else took
    ]
    for router in routers:
        commands_only(router)
    return routers
