"""Whole messages of the programme: (text, markup) for a day, a card, what is next, /my."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views import contacts as contact_views
from bot.views import logistics as logistics_views
from bot.views import programme as views
from bot.views.attendance import card_status
from bot.views.programme_buttons import card_keyboard, day_keyboard, events_keyboard
from bot.views.texts import bold, day_label, esc, split_message
from schedule.model import AttendanceRecord, Delegate, Event, Forum, Transport, Travel
from schedule.rules import upcoming_first
from schedule.transport import AgendaItem, agenda_on

Rendered = tuple[str, InlineKeyboardMarkup | None]
# Telegram shows at most 100 buttons under a message; /my offers the next events.
AGENDA_BUTTONS = 30


def nothing_for_you() -> str:
    return esc(_("There are no events in the programme for you yet."))


def day_message(
    forum: Forum,
    day: date | None,
    events: Sequence[Event],
    days: Sequence[date],
    shown_instead_of: date | None,
    departures: Sequence[Transport] = (),
) -> Rendered:
    if day is None:
        return nothing_for_you(), None
    text = views.day_text(
        forum, day, list(events), shown_instead_of=shown_instead_of, departures=departures
    )
    return text, day_keyboard(forum, day, events, days)


def in_parts(rendered: Rendered) -> list[Rendered]:
    """A message too long for Telegram as several, split between lines, the buttons under
    the last part (where the reader's eyes end up)."""
    text, markup = rendered
    *first, last = split_message(text)
    return [(part, None) for part in first] + [(last, markup)]


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
    transports: Sequence[Transport] = (),
) -> Rendered:
    text = _with_status(views.card_text(event, forum, signatories or {}, transports), record, forum)
    return text, card_keyboard(event, forum, now, attends=attends, record=record)


def next_message(
    forum: Forum,
    event: Event,
    record: AttendanceRecord | None,
    attends: bool,
    now: datetime,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Rendered:
    """/next's card; ``keyboard``: its buttons made already (shared by readers alike)."""
    text = _with_status(views.next_text(event, forum, now), record, forum)
    if keyboard is None:
        keyboard = card_keyboard(event, forum, now, attends=attends, record=record)
    return text, keyboard


def next_departure_message(
    forum: Forum, departure: Transport, now: datetime, *, late: bool
) -> Rendered:
    """/next when a car leaves first; ``late``: with "I'm running late" (a rider)."""
    text = logistics_views.next_departure_text(departure, forum, now)
    return text, logistics_views.departure_keyboard(departure, forum, late_button=late)


def nothing_next() -> str:
    return esc(_("Nothing more in the programme for you. Safe travels!"))


def agenda_messages(
    forum: Forum,
    days: Sequence[date],
    items: Sequence[AgendaItem],
    travel: Travel | None = None,
    now: datetime | None = None,
) -> list[Rendered]:
    """/my: the delegate's travel, the agenda with departures in at most a few messages
    (the rest counted), then buttons to open the next events (Telegram shows 100 at most)."""
    travel_lines = contact_views.travel_lines(travel, forum)
    if not items and not travel_lines:
        return [(nothing_for_you(), None)]
    blocks: list[tuple[str, bool]] = [(bold(esc(_("Your agenda"))), False)]
    if travel_lines:
        blocks.append(("\n".join(travel_lines), False))
    events: list[Event] = []
    for day in days:
        todays = agenda_on(items, day, forum.timezone)
        events.extend(i.event for i in todays if i.event)
        blocks.append(("🗓 " + bold(esc(day_label(day))), False))
        blocks.extend(
            (views.event_line(i.event, forum), True) if i.event
            else (logistics_views.departure_line(i.transport, forum), False)  # type: ignore[arg-type]
            for i in todays
        )  # fmt: skip
    messages: list[Rendered] = [(part, None) for part in views.agenda_parts(blocks)]
    if events:
        shown = upcoming_first(events, now, AGENDA_BUTTONS) if now else events[:AGENDA_BUTTONS]
        messages.append((esc(_("Open an event:")), events_keyboard(shown)))
    return messages


def event_gone() -> str:
    return _("This event is no longer in your programme.")


def place_gone() -> str:
    return _("This place is no longer in the programme.")


def button_gone() -> str:
    return _("This button is no longer valid.")
