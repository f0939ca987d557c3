"""Every CallbackData factory of the bot: short prefixes, ids not titles, under 64 bytes.

A callback whose data does not parse, or points at something gone, is answered politely
by the fallback router and changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A row id that SQLite can hold: a forged larger number does not parse (a stale button)
# instead of overflowing in the database driver.
RowId = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


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


class RollCallCb(CallbackData, prefix="ra"):
    """Organisers: page 0 sends the event's whole roll-call; 1, 2... redraw that page of
    the marking buttons."""

    event: str
    page: int = 0


class MarkCb(CallbackData, prefix="am"):
    """Organisers: mark a delegate present (1) or absent (0); the page (from 1) to redraw."""

    event: str
    delegate: RowId
    present: int
    page: int = 1


class BroadcastCb(CallbackData, prefix="b"):
    """A broadcast's buttons: ok = a delegate's "Received"; st = the organiser's report
    refreshed; rm = remind those who have not confirmed."""

    id: RowId
    action: str


class BroadcastFlowCb(CallbackData, prefix="bf"):
    """The broadcast preview: send, confirm (send asking for "Received"), cancel. ``draft``
    names the previewed message (its id), so an older preview's buttons cannot send a newer
    draft."""

    action: str
    draft: int


class EventCancelCb(CallbackData, prefix="xc"):
    """The organiser confirms cancelling an event (or keeps it: keep = 1)."""

    event: str
    keep: int = 0


class RemindersCb(CallbackData, prefix="rm"):
    """/reminders: turn them on or off, or toggle one offset (minutes, as text)."""

    action: str  # on | off | at
    offset: str = ""


class AgreementCb(CallbackData, prefix="ag"):
    """Open an agreement's card (``redraw`` = 1: in place of the message pressed)."""

    id: str
    redraw: int = 0


class AgreementStatusCb(CallbackData, prefix="as"):
    """Organisers: set an agreement's status ``to``, from the ``was`` the card showed (a
    stale card's button changes nothing); ``ok`` = 1 once confirmed."""

    id: str
    to: str
    was: str
    ok: int = 0


class AgreementPhotoCb(CallbackData, prefix="ap"):
    """Organisers: the next photo they send is attached to this agreement."""

    id: str


class LateCb(CallbackData, prefix="lt"):
    """A departure reminder's "I'm running late"."""

    id: str  # the transport id


class InviteQrCb(CallbackData, prefix="qr"):
    """Organisers: the invitation links of the delegates not registered yet, as QR codes."""

    page: int = 0


class ImportCb(CallbackData, prefix="im"):
    """The organiser confirms an uploaded forum file that removes people or events (go = 1)
    or keeps the programme (go = 0); ``token`` names the waiting upload."""

    token: str
    go: int
