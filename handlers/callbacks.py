"""Every CallbackData factory of the bot: short prefixes, ids not titles, under 64 bytes.

A callback whose data does not parse, or points at something gone, is answered politely
by the fallback router and changes nothing.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class DayCb(CallbackData, prefix="d"):
    day: str  # YYYYMMDD, forum-local


class EventCb(CallbackData, prefix="e"):
    id: str


class VenueCb(CallbackData, prefix="v"):
    id: str


class LangCb(CallbackData, prefix="l"):
    lang: str


class CheckInCb(CallbackData, prefix="c"):
    """Check in to an event (reminders, event cards)."""

    event: str


class RsvpCb(CallbackData, prefix="r"):
    """I'll attend (y) / can't attend (n)."""

    event: str
    answer: str
