"""The attendance keyboards: choosing an event, the roll-call's marking pages, and the
RSVP buttons redrawn with the chosen answer."""

from __future__ import annotations

import math
from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup

from bot.views.attendance import plain_title, rsvp_label
from bot.views.callbacks import CheckInCb, MarkCb, RollCallCb, RsvpCb
from bot.views.keyboard import Keyboard
from bot.views.texts import clip, hhmm
from schedule.attendance import RollCall
from schedule.model import Event, Forum

MARKS_PER_PAGE = 30


def _event_label(event: Event, forum: Forum) -> str:
    return clip(f"{hhmm(event.starts, forum.timezone)} {plain_title(event)}")


def check_in_choice(events: Sequence[Event], forum: Forum) -> InlineKeyboardMarkup:
    """One Check in button per event open now (when two overlap)."""
    keyboard = Keyboard()
    for event in events:
        keyboard.button(text=_event_label(event, forum), callback_data=CheckInCb(event=event.id))
    return keyboard.adjust(1).as_markup()


def roll_call_choice(events: Sequence[Event], forum: Forum) -> InlineKeyboardMarkup:
    """One button per event of the day, in time order, to open its roll-call."""
    keyboard = Keyboard()
    for event in sorted(events, key=lambda e: (e.starts, e.id)):
        keyboard.button(text=_event_label(event, forum), callback_data=RollCallCb(event=event.id))
    return keyboard.adjust(1).as_markup()


def marking_keyboard(call: RollCall, page: int) -> tuple[InlineKeyboardMarkup, int, int]:
    """Buttons for one page of delegates (by name) and the page arrows; the page shown."""
    people = sorted(call.entries, key=lambda e: (e.delegate.name.casefold(), e.delegate.id))
    pages = max(1, math.ceil(len(people) / MARKS_PER_PAGE))
    page = min(max(page, 1), pages)
    keyboard = Keyboard()
    shown = people[(page - 1) * MARKS_PER_PAGE : page * MARKS_PER_PAGE]
    for entry in shown:
        present = entry.present_since is not None
        keyboard.button(
            text=("✅ " if present else "▫️ ") + clip(entry.delegate.name),
            callback_data=MarkCb(
                event=call.event.id,
                delegate=entry.delegate.id,
                present=0 if present else 1,
                page=page,
            ),
        )
    arrows = 0
    if page > 1:
        keyboard.button(text="◀️", callback_data=RollCallCb(event=call.event.id, page=page - 1))
        arrows += 1
    if page < pages:
        keyboard.button(text="▶️", callback_data=RollCallCb(event=call.event.id, page=page + 1))
        arrows += 1
    keyboard.adjust(*([1] * len(shown)), *([arrows] if arrows else []))
    return keyboard.as_markup(), page, pages


def marked_answer(
    markup: InlineKeyboardMarkup | None, event_id: str, answer: str
) -> InlineKeyboardMarkup | None:
    """The same keyboard with this event's RSVP buttons marked for ``answer``; None when
    there is nothing to change (no such buttons, or already marked so)."""
    if markup is None:
        return None
    changed = False
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            try:
                rsvp = RsvpCb.unpack(button.callback_data or "")
            except (TypeError, ValueError):  # another button: a map pin, Check in...
                rsvp = None
            if rsvp is not None and rsvp.event == event_id:
                text = rsvp_label(button.text, chosen=rsvp.answer == answer)
                if text != button.text:
                    button = button.model_copy(update={"text": text})
                    changed = True
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(inline_keyboard=rows) if changed else None
