"""Attendance: /checkin and the Check in / RSVP buttons for delegates; /attendance (the
roll-call, with buttons to mark people present or absent) and /export for organisers."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.views import attendance as views
from bot.views import attendance_buttons as buttons
from bot.views.attendance_xlsx import attendance_xlsx
from bot.views.callbacks import CheckInCb, MarkCb, RollCallCb, RsvpCb
from bot.views.texts import current_locale, esc
from db.connection import Database
from handlers.filters import Cmd, IsMember, IsOrganiser
from handlers.redraw import redraw
from schedule.attendance import RollCall
from schedule.attendance_csv import attendance_csv
from schedule.clock import Clock
from schedule.model import Delegate, Forum
from schedule.services import attendance as service
from schedule.services.programme import Programme

log = logging.getLogger(__name__)
RSVP_ANSWERS = {"y": "yes", "n": "no"}


# --- delegates ---------------------------------------------------------------------------


async def check_in_command(
    message: Message, delegate: Delegate | None, programme: Programme, db: Database, clock: Clock
) -> None:
    if delegate is None:
        await message.answer(esc(views.not_a_delegate()))
        return
    outcome = await service.check_in_now(db, programme, delegate, clock())
    if isinstance(outcome, service.NothingOpen):
        await message.answer(views.nothing_open_text(outcome.forum, outcome.upcoming))
    elif isinstance(outcome, service.ChooseEvent):
        markup = buttons.check_in_choice(outcome.events, outcome.forum)
        await message.answer(views.choose_event_text(), reply_markup=markup)
    else:
        text = views.checked_in_text(outcome.event, outcome.forum, outcome.at, new=outcome.new)
        await message.answer(text)


async def check_in_button(
    query: CallbackQuery,
    callback_data: CheckInCb,
    bot: Bot,
    delegate: Delegate | None,
    programme: Programme,
    db: Database,
    clock: Clock,
) -> None:
    if delegate is None:
        await query.answer(views.not_a_delegate(), show_alert=True)
        return
    now = clock()
    outcome = await service.check_in_event(db, programme, delegate, callback_data.event, now)
    if isinstance(outcome, service.Refused):
        alert = views.check_in_refusal_alert(outcome.refusal, outcome.event, outcome.forum, now)
        await query.answer(alert, show_alert=True)
        return
    await query.answer()
    text = views.checked_in_text(outcome.event, outcome.forum, outcome.at, new=outcome.new)
    await bot.send_message(query.from_user.id, text)


async def rsvp_button(
    query: CallbackQuery,
    callback_data: RsvpCb,
    db: Database,
    programme: Programme,
    clock: Clock,
    delegate: Delegate | None,
) -> None:
    if delegate is None:
        await query.answer(views.not_a_delegate(), show_alert=True)
        return
    answer = RSVP_ANSWERS.get(callback_data.answer)
    if answer is None:
        await query.answer(views.button_gone(), show_alert=True)
        return
    outcome = await service.answer_rsvp(
        db, programme, delegate, callback_data.event, answer, clock()  # type: ignore[arg-type]
    )
    if isinstance(outcome, service.Refused):
        alert = views.rsvp_refusal_alert(outcome.refusal, outcome.event)
        await query.answer(alert, show_alert=True)
        return
    await query.answer(views.rsvp_toast(outcome, answer))
    if isinstance(query.message, Message):
        await _show_answer(query.message, outcome.id, callback_data.answer)


async def _show_answer(message: Message, event_id: str, answer: str) -> None:
    """Mark the chosen answer on the card or reminder that was pressed."""
    markup = buttons.marked_answer(message.reply_markup, event_id, answer)
    if markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as error:
        # The answer is stored and confirmed; an old or identical keyboard is no error.
        log.info("RSVP buttons not redrawn: %s", error.message)


# --- organisers --------------------------------------------------------------------------


async def _send_roll_call(message: Message, forum: Forum, call: RollCall) -> None:
    for piece in views.roll_call_text(call, forum):
        await message.answer(piece)
    markup, page, pages = buttons.marking_keyboard(call, 1)
    await message.answer(views.marking_text(call, page, pages), reply_markup=markup)


async def attendance_command(
    message: Message, command: CommandObject, programme: Programme, db: Database, clock: Clock
) -> None:
    event_id = (command.args or "").strip()
    if event_id:
        try:
            forum, call = await service.roll_call_of(db, programme, event_id)
        except service.UnknownEvent:
            await message.answer(views.unknown_event(event_id, "attendance"))
        else:
            await _send_roll_call(message, forum, call)
        return
    forum, day, events = await service.roll_call_choices(programme, clock())
    if day is None:
        await message.answer(views.no_events())
        return
    markup = buttons.roll_call_choice(events, forum)
    await message.answer(views.which_roll_call(), reply_markup=markup)


async def roll_call_button(
    query: CallbackQuery,
    callback_data: RollCallCb,
    organiser: bool,
    programme: Programme,
    db: Database,
) -> None:
    if not organiser:  # a forged button: refuse and show nothing
        await query.answer(views.organisers_only(), show_alert=True)
        return
    try:
        forum, call = await service.roll_call_of(db, programme, callback_data.event)
    except service.UnknownEvent:
        call = None
    if call is None or callback_data.page < 0 or not isinstance(query.message, Message):
        await query.answer(views.button_gone(), show_alert=True)
        return
    await query.answer()
    if callback_data.page == 0:
        await _send_roll_call(query.message, forum, call)
        return
    markup, page, pages = buttons.marking_keyboard(call, callback_data.page)
    await redraw(query.message, views.marking_text(call, page, pages), markup)


async def mark_button(
    query: CallbackQuery,
    callback_data: MarkCb,
    organiser: bool,
    programme: Programme,
    db: Database,
    clock: Clock,
) -> None:
    if not organiser:  # a forged button: refuse, record nothing, show nothing
        await query.answer(views.organisers_only(), show_alert=True)
        return
    if callback_data.present not in (0, 1):
        await query.answer(views.button_gone(), show_alert=True)
        return
    present = bool(callback_data.present)
    try:
        person, call = await service.mark(
            db,
            programme,
            event_id=callback_data.event,
            delegate_id=callback_data.delegate,
            present=present,
            organiser_id=query.from_user.id,
            organiser_name=query.from_user.full_name,
            now=clock(),
        )
    except service.UnknownEvent:
        await query.answer(views.button_gone(), show_alert=True)
        return
    except service.NotInAudience:
        await query.answer(views.not_in_audience(), show_alert=True)
        return
    await query.answer(views.mark_toast(person.name, present=present))
    if isinstance(query.message, Message):
        markup, page, pages = buttons.marking_keyboard(call, callback_data.page)
        await redraw(query.message, views.marking_text(call, page, pages), markup)


async def export_command(
    message: Message, command: CommandObject, programme: Programme, db: Database, clock: Clock
) -> None:
    event_id = (command.args or "").strip() or None
    try:
        forum, calls = await service.roll_calls_for_export(db, programme, event_id)
    except service.UnknownEvent:
        await message.answer(views.unknown_event(event_id or "", "export"))
        return
    data = attendance_csv(forum, calls, current_locale())
    name = views.export_filename(event_id, clock(), forum)
    # The workbook first: it opens in the right columns in Excel whatever its language;
    # the CSV, with the caption, for every other program.
    workbook = attendance_xlsx(forum, calls, current_locale())
    await message.answer_document(
        BufferedInputFile(workbook, filename=name.removesuffix(".csv") + ".xlsx")
    )
    await message.answer_document(
        BufferedInputFile(data, filename=name), caption=views.export_caption(calls)
    )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    # /checkin on the router itself, not a sub-router: it is the command a delegation sends
    # at the door, and each router an update passes costs (handlers/__init__.py).
    router.message.register(check_in_command, Cmd("checkin"), IsMember())
    members = Router(name=__name__ + ".delegates")
    members.callback_query.filter(IsMember())
    members.callback_query.register(check_in_button, CheckInCb.filter())
    members.callback_query.register(rsvp_button, RsvpCb.filter())
    organisers = Router(name=__name__ + ".organisers")
    organisers.message.filter(IsOrganiser())
    organisers.message.register(attendance_command, Cmd("attendance"))
    organisers.message.register(export_command, Cmd("export"))
    # No router filter for the buttons: each handler refuses a non-organiser itself, so a
    # forged button gets a clear answer instead of falling through.
    organisers_buttons = Router(name=__name__ + ".marks")
    organisers_buttons.callback_query.register(roll_call_button, RollCallCb.filter())
    organisers_buttons.callback_query.register(mark_button, MarkCb.filter())
    router.include_routers(members, organisers, organisers_buttons)
    return router
