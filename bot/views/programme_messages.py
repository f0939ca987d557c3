"""Whole messages of the programme: (text, markup) for a day, a card, what is next, /my."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views import programme as views
from bot.views.attendance import card_status
from bot.views.programme_buttons import card_keyboard, day_keyboard, events_keyboard
from bot.views.texts import bold, day_label, esc, split_message
from schedule.model import AttendanceRecord, Delegate, Event, Forum

Rendered = tuple[str, InlineKeyboardMarkup | None]


def nothing_for_you() -> str:
    return esc(_("There are no events in the programme for you yet."))


def day_message(
    forum: Forum,
    day: date | None,
    events: Sequence[Event],
    days: Sequence[date],
    shown_instead_of: date | None,
) -> Rendered:
    if day is None:
        return nothing_for_you(), None
    text = views.day_text(forum, day, list(events), shown_instead_of=shown_instead_of)
    return text, day_keyboard(forum, day, events, days)


def _with_status(text: str, record: AttendanceRecord | None, forum: Forum) -> str:
    status = card_status(record, forum)
    return f"{text}\n\n{status}" if status else text


def card_message(
    forum: Forum,
    event: Event,
    record: AttendanceRecord | None,
    attends: bool,
    now: datetime,
    signatories: Mapping[str, Delegate] | None = None,
) -> Rendered:
    text = _with_status(views.card_text(event, forum, signatories or {}), record, forum)
    return text, card_keyboard(event, forum, now, attends=attends, record=record)


def next_message(
    forum: Forum, event: Event, record: AttendanceRecord | None, attends: bool, now: datetime
) -> Rendered:
    text = _with_status(views.next_text(event, forum, now), record, forum)
    return text, card_keyboard(event, forum, now, attends=attends, record=record)


def nothing_next() -> str:
    return esc(_("Nothing more in the programme for you. Safe travels!"))


def agenda_messages(
    forum: Forum, days: Sequence[date], by_day: dict[date, tuple[Event, ...]]
) -> list[Rendered]:
    """/my: the agenda in as few messages as fit, then the buttons to open each event."""
    events = [e for day in days for e in by_day.get(day, ())]
    if not events:
        return [(nothing_for_you(), None)]
    parts = [bold(esc(_("Your agenda")))]
    for day in days:
        parts.append("🗓 " + bold(esc(day_label(day))))
        parts.extend(views.event_line(e, forum) for e in by_day.get(day, ()))
    messages: list[Rendered] = [(chunk, None) for chunk in split_message("\n\n".join(parts))]
    messages.append((esc(_("Open an event:")), events_keyboard(events)))
    return messages


def event_gone() -> str:
    return _("This event is no longer in your programme.")


def place_gone() -> str:
    return _("This place is no longer in the programme.")


def button_gone() -> str:
    return _("This button is no longer valid.")
