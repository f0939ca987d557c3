"""The bot's routers, in priority order: features first, the fallback last."""

from __future__ import annotations

from aiogram import Router

from handlers import calendar, fallback, language, programme, start


def get_routers() -> list[Router]:
    """Fresh routers for one dispatcher (a router can be attached to one dispatcher only)."""
    return [
        start.create_router(),
        programme.create_router(),
        calendar.create_router(),
        language.create_router(),
        fallback.create_router(),  # must stay last: it answers whatever nobody else took
    ]
