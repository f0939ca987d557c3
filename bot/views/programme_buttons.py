"""The programme's keyboards: a day's events and the other days; an event card's buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views.attendance import rsvp_label
from bot.views.callbacks import CheckInCb, DayCb, EventCb, RsvpCb, VenueCb
from bot.views.keyboard import Keyboard
from bot.views.texts import clip, current_locale, hhmm, short_day
from schedule.attendance import check_in_open, rsvp_open
from schedule.model import AttendanceRecord, Event, Forum


def _day_button(keyboard: Keyboard, day: date) -> None:
    keyboard.button(text="🗓 " + short_day(day), callback_data=DayCb(day=day.strftime("%Y%m%d")))


def day_keyboard(
    forum: Forum, day: date, events: Sequence[Event], days: Sequence[date]
) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for event in events:
        label = f"{hhmm(event.starts, forum.timezone)} {clip(event.title.get(current_locale()))}"
        keyboard.button(text=label, callback_data=EventCb(id=event.id))
    others = [d for d in days if d != day]
    for other in others:
        _day_button(keyboard, other)
    keyboard.adjust(*([1] * len(events)), *([min(len(others), 3)] if others else []))
    return keyboard.as_markup()


def card_keyboard(
    event: Event,
    forum: Forum,
    now: datetime | None = None,
    *,
    attends: bool = True,
    record: AttendanceRecord | None = None,
) -> InlineKeyboardMarkup:
    """Map and day buttons; with ``now``, also RSVP while it is open and Check in while open
    and not yet checked in, when the reader ``attends`` (a delegate of its audience)."""
    keyboard = Keyboard()
    rows: list[int] = []
    if not attends:
        now = None
    if now is not None and rsvp_open(event, now):
        answer = record.rsvp if record is not None else None
        keyboard.button(
            text=rsvp_label("✅ " + _("I'll attend"), chosen=answer == "yes"),
            callback_data=RsvpCb(event=event.id, answer="y"),
        )
        keyboard.button(
            text=rsvp_label("✖️ " + _("Can't attend"), chosen=answer == "no"),
            callback_data=RsvpCb(event=event.id, answer="n"),
        )
        rows.append(2)
    present = record is not None and record.is_present
    if now is not None and check_in_open(event, now) and not present:
        keyboard.button(text="🙋 " + _("Check in"), callback_data=CheckInCb(event=event.id))
        rows.append(1)
    venue = forum.venue(event.venue)
    if venue is not None and venue.has_location:
        keyboard.button(text="📍 " + _("Show on map"), callback_data=VenueCb(id=venue.id))
    _day_button(keyboard, event.starts.astimezone(forum.timezone).date())
    keyboard.adjust(*rows, 1)
    return keyboard.as_markup()


def card_state(
    event: Event, now: datetime, attends: bool, record: AttendanceRecord | None
) -> tuple[bool, str | None, bool]:
    """What a card's buttons depend on besides the event and the language: answers open
    (and which was chosen), check-in open and not yet checked in. Readers in the same
    state share one keyboard."""
    if not attends:
        return False, None, False
    rsvp = rsvp_open(event, now)
    present = record is not None and record.is_present
    answer = record.rsvp if record is not None and rsvp else None
    return rsvp, answer, check_in_open(event, now) and not present


def events_keyboard(events: Sequence[Event]) -> InlineKeyboardMarkup:
    """One button per event, to open its card (under /my)."""
    keyboard = Keyboard()
    for event in events:
        keyboard.button(
            text=clip(event.title.get(current_locale())), callback_data=EventCb(id=event.id)
        )
    return keyboard.adjust(1).as_markup()
