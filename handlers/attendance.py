"""Attendance: /checkin and the Check in / RSVP buttons for delegates; /attendance (the
roll-call, with buttons to mark people present or absent) and /export for organisers."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.views import attendance as views
from bot.views.callbacks import CheckInCb, MarkCb, RollCallCb, RsvpCb
from bot.views.texts import clip, current_locale, esc, fmt, hhmm
from db import attendance, delegates
from db.connection import Database
from handlers.filters import IsMember, IsOrganiser
from handlers.redraw import redraw
from schedule.attendance import (
    AttendanceRecord,
    RollCall,
    check_in_refusal,
    next_check_in,
    open_for_check_in,
    roll_call,
    rsvp_refusal,
)
from schedule.attendance_csv import attendance_csv
from schedule.model import Delegate, Event, Forum
from schedule.rules import Viewer, events_on, forum_days, in_audience, nearest_day
from schedule.services.programme import Programme

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
MARKS_PER_PAGE = 30
MAX_BUTTON_NAME = 40
RSVP_ANSWERS = {"y": "yes", "n": "no"}


def _own(delegate: Delegate) -> Viewer:
    """Attendance is personal: an organiser who is also a delegate checks in as a delegate."""
    return Viewer(group=delegate.group)


def _short(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_NAME else text[: MAX_BUTTON_NAME - 1] + "…"


def _not_a_delegate() -> str:
    return _("Only delegates on the delegation list can answer or check in.")


# --- delegates ---------------------------------------------------------------------------


async def check_in_command(
    message: Message, delegate: Delegate | None, programme: Programme, db: Database, clock: Now
) -> None:
    if delegate is None:
        await message.answer(esc(_not_a_delegate()))
        return
    forum = await programme.forum()
    now = clock()
    mine = (await programme.agenda(_own(delegate))).events
    open_now = open_for_check_in(mine, _own(delegate), now)
    if not open_now:
        upcoming = next_check_in(mine, _own(delegate), now)
        await message.answer(views.nothing_open_text(forum, upcoming))
        return
    if len(open_now) > 1:
        builder = InlineKeyboardBuilder()
        for event in open_now:
            label = f"{hhmm(event.starts, forum.timezone)} {views.plain_title(event)}"
            builder.button(text=_short(label), callback_data=CheckInCb(event=event.id))
        builder.adjust(1)
        await message.answer(views.choose_event_text(), reply_markup=builder.as_markup())
        return
    event = open_now[0]
    result = await attendance.check_in(db, event.id, delegate.id, now)
    at = result.record.checked_in_at or now
    await message.answer(views.checked_in_text(event, forum, at, new=result.new))


async def check_in_button(
    query: CallbackQuery,
    callback_data: CheckInCb,
    delegate: Delegate | None,
    programme: Programme,
    db: Database,
    clock: Now,
) -> None:
    if delegate is None:
        await query.answer(_not_a_delegate(), show_alert=True)
        return
    forum = await programme.forum()
    now = clock()
    event = await programme.event(callback_data.event)
    refusal = check_in_refusal(event, _own(delegate), now)
    if refusal is not None or event is None:
        await query.answer(
            views.check_in_refusal_alert(refusal or "unknown", event, forum, now), show_alert=True
        )
        return
    result = await attendance.check_in(db, event.id, delegate.id, now)
    await query.answer()
    at = result.record.checked_in_at or now
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id, views.checked_in_text(event, forum, at, new=result.new)
    )


async def rsvp_button(
    query: CallbackQuery,
    callback_data: RsvpCb,
    delegate: Delegate | None,
    programme: Programme,
    db: Database,
    clock: Now,
) -> None:
    if delegate is None:
        await query.answer(_not_a_delegate(), show_alert=True)
        return
    answer = RSVP_ANSWERS.get(callback_data.answer)
    if answer is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    now = clock()
    event = await programme.event(callback_data.event)
    refusal = rsvp_refusal(event, _own(delegate), now)
    if refusal is not None or event is None:
        await query.answer(views.rsvp_refusal_alert(refusal or "unknown", event), show_alert=True)
        return
    await attendance.set_rsvp(db, event.id, delegate.id, answer, now)  # type: ignore[arg-type]
    await query.answer(views.rsvp_toast(event, answer))
    if isinstance(query.message, Message):
        await _show_answer(query.message, event.id, callback_data.answer)


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
                text = views.rsvp_label(button.text, chosen=rsvp.answer == answer)
                if text != button.text:
                    button = button.model_copy(update={"text": text})
                    changed = True
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(inline_keyboard=rows) if changed else None


async def _show_answer(message: Message, event_id: str, answer: str) -> None:
    """Mark the chosen answer on the card or reminder that was pressed."""
    markup = marked_answer(message.reply_markup, event_id, answer)
    if markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as error:
        # The answer is stored and confirmed; an old or identical keyboard is no error.
        log.info("RSVP buttons not redrawn: %s", error.message)


# --- organisers --------------------------------------------------------------------------


async def _roll_call(db: Database, event: Event) -> RollCall:
    records = await attendance.for_event(db, event.id)
    return roll_call(event, await _people(db, records), records)


async def _people(db: Database, records: Sequence[AttendanceRecord]) -> list[Delegate]:
    """Active delegates, plus anyone recorded who has since left the list."""
    people = await delegates.list_delegates(db)
    known = {d.id for d in people}
    missing = sorted({r.delegate_id for r in records} - known)
    return people + list((await delegates.by_ids(db, missing)).values())


def _roll_event(forum: Forum, event_id: str) -> Event | None:
    return next((e for e in forum.events if e.id == event_id and e.status != "removed"), None)


def _unknown_event(event_id: str, command: str) -> str:
    return (
        fmt(_("There is no event with the id {id}."), id=clip(event_id))
        + "\n"
        + fmt(_("Send /{command} without an id to choose one."), command=command)
    )


def marking_keyboard(call: RollCall, page: int) -> tuple[InlineKeyboardMarkup, int, int]:
    """Buttons for one page of delegates (by name) and the page arrows; the page shown."""
    people = sorted(call.entries, key=lambda e: (e.delegate.name.casefold(), e.delegate.id))
    pages = max(1, math.ceil(len(people) / MARKS_PER_PAGE))
    page = min(max(page, 1), pages)
    builder = InlineKeyboardBuilder()
    shown = people[(page - 1) * MARKS_PER_PAGE : page * MARKS_PER_PAGE]
    for entry in shown:
        present = entry.present_since is not None
        builder.button(
            text=("✅ " if present else "▫️ ") + _short(entry.delegate.name),
            callback_data=MarkCb(
                event=call.event.id,
                delegate=entry.delegate.id,
                present=0 if present else 1,
                page=page,
            ),
        )
    arrows = []
    if page > 1:
        builder.button(text="◀️", callback_data=RollCallCb(event=call.event.id, page=page - 1))
        arrows.append(1)
    if page < pages:
        builder.button(text="▶️", callback_data=RollCallCb(event=call.event.id, page=page + 1))
        arrows.append(1)
    builder.adjust(*([1] * len(shown)), *([len(arrows)] if arrows else []))
    return builder.as_markup(), page, pages


async def _redraw_marks(message: Message, db: Database, event: Event, page: int) -> None:
    call = await _roll_call(db, event)
    markup, page, pages = marking_keyboard(call, page)
    await redraw(message, views.marking_text(call, page, pages), markup)


async def _send_roll_call(message: Message, db: Database, forum: Forum, event: Event) -> None:
    call = await _roll_call(db, event)
    for piece in views.roll_call_text(call, forum):
        await message.answer(piece)
    markup, page, pages = marking_keyboard(call, 1)
    await message.answer(views.marking_text(call, page, pages), reply_markup=markup)


async def attendance_command(
    message: Message, command: CommandObject, programme: Programme, db: Database, clock: Now
) -> None:
    forum = await programme.forum()
    event_id = (command.args or "").strip()
    if event_id:
        event = _roll_event(forum, event_id)
        if event is None:
            await message.answer(_unknown_event(event_id, "attendance"))
            return
        await _send_roll_call(message, db, forum, event)
        return
    events = [e for e in forum.events if e.status != "removed"]
    today = clock().astimezone(forum.timezone).date()
    day = nearest_day(forum_days(events, forum.timezone), today)
    if day is None:
        await message.answer(esc(_("There are no events in the programme.")))
        return
    builder = InlineKeyboardBuilder()
    for event in sorted(events_on(events, day, forum.timezone), key=lambda e: (e.starts, e.id)):
        label = f"{hhmm(event.starts, forum.timezone)} {views.plain_title(event)}"
        builder.button(text=_short(label), callback_data=RollCallCb(event=event.id))
    builder.adjust(1)
    text = esc(_("Which event's roll-call? Or send /attendance EVENT_ID."))
    await message.answer(text, reply_markup=builder.as_markup())


async def roll_call_button(
    query: CallbackQuery,
    callback_data: RollCallCb,
    organiser: bool,
    programme: Programme,
    db: Database,
) -> None:
    if not organiser:  # a forged button: refuse and show nothing
        await query.answer(_("This is for the organisers only."), show_alert=True)
        return
    forum = await programme.forum()
    event = _roll_event(forum, callback_data.event)
    if event is None or callback_data.page < 0 or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    if callback_data.page == 0:
        await _send_roll_call(query.message, db, forum, event)
        return
    await _redraw_marks(query.message, db, event, callback_data.page)


async def mark_button(
    query: CallbackQuery,
    callback_data: MarkCb,
    organiser: bool,
    programme: Programme,
    db: Database,
    clock: Now,
) -> None:
    if not organiser:  # a forged button: refuse, record nothing, show nothing
        await query.answer(_("This is for the organisers only."), show_alert=True)
        return
    forum = await programme.forum()
    event = _roll_event(forum, callback_data.event)
    person = await delegates.by_id(db, callback_data.delegate)
    if event is None or person is None or callback_data.present not in (0, 1):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    recorded = await attendance.get(db, event.id, person.id)
    if recorded is None and not (person.active and in_audience(event, person.group)):
        await query.answer(_("This delegate is not in the event's audience."), show_alert=True)
        return
    present = bool(callback_data.present)
    state = "present" if present else "absent"
    # The organiser's Telegram name goes into the log: organisers need not be delegates,
    # and /log otherwise shows only their id.
    detail = f"{event.id}: {person.name} (#{person.id}) {state}, by {query.from_user.full_name}"
    await attendance.mark(
        db,
        event.id,
        person.id,
        present=present,
        organiser_id=query.from_user.id,
        now=clock(),
        log_detail=detail,
    )
    await query.answer(views.mark_toast(person.name, present=present))
    if isinstance(query.message, Message):
        await _redraw_marks(query.message, db, event, callback_data.page)


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "event"


async def export_command(
    message: Message, command: CommandObject, programme: Programme, db: Database, clock: Now
) -> None:
    forum = await programme.forum()
    event_id = (command.args or "").strip()
    if event_id:
        event = _roll_event(forum, event_id)
        if event is None:
            await message.answer(_unknown_event(event_id, "export"))
            return
        events = [event]
    else:
        events = sorted(
            (e for e in forum.events if e.status != "removed"), key=lambda e: (e.starts, e.id)
        )
    records = await attendance.all_rows(db, [e.id for e in events])
    people = await _people(db, records)
    calls = [roll_call(e, people, records) for e in events]
    data = attendance_csv(forum, calls, current_locale())
    stamp = clock().astimezone(forum.timezone).strftime("%Y%m%d-%H%M")
    name = (
        f"attendance-{_file_part(event_id)}-{stamp}.csv" if event_id else f"attendance-{stamp}.csv"
    )
    rows = sum(len(c.entries) for c in calls)
    caption = fmt(
        ngettext(
            "Attendance: {events} event, {rows} rows.",
            "Attendance: {events} events, {rows} rows.",
            len(events),
        ),
        events=len(events),
        rows=rows,
    )
    await message.answer_document(BufferedInputFile(data, filename=name), caption=caption)


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    members = Router(name=__name__ + ".delegates")
    members.message.filter(IsMember())
    members.callback_query.filter(IsMember())
    members.message.register(check_in_command, Command("checkin"))
    members.callback_query.register(check_in_button, CheckInCb.filter())
    members.callback_query.register(rsvp_button, RsvpCb.filter())
    organisers = Router(name=__name__ + ".organisers")
    organisers.message.filter(IsOrganiser())
    organisers.message.register(attendance_command, Command("attendance"))
    organisers.message.register(export_command, Command("export"))
    # No router filter for the buttons: each handler refuses a non-organiser itself, so a
    # forged button gets a clear answer instead of falling through.
    organisers_buttons = Router(name=__name__ + ".marks")
    organisers_buttons.callback_query.register(roll_call_button, RollCallCb.filter())
    organisers_buttons.callback_query.register(mark_button, MarkCb.filter())
    router.include_routers(members, organisers, organisers_buttons)
    return router
