"""The programme for delegates: /schedule, day and event buttons, venue pins, /next, /my."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.views import programme as views
from bot.views.attendance import card_status, rsvp_label
from bot.views.callbacks import CheckInCb, DayCb, EventCb, RsvpCb, VenueCb
from bot.views.keyboard import Keyboard
from bot.views.texts import bold, current_locale, day_label, esc, hhmm, short_day, split_message
from db import attendance
from db.connection import Database
from handlers.filters import IsMember
from handlers.redraw import redraw
from schedule.attendance import AttendanceRecord, check_in_open, rsvp_open
from schedule.model import Delegate, Event, Forum
from schedule.rules import (
    Viewer,
    concerns,
    in_audience,
    nearest_day,
    next_event,
)
from schedule.services.programme import Programme

MAX_BUTTON_TITLE = 40


def _short(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_TITLE else text[: MAX_BUTTON_TITLE - 1] + "…"


def day_keyboard(
    forum: Forum, day: date, events: list[Event], days: list[date]
) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for event in events:
        label = f"{hhmm(event.starts, forum.timezone)} {_short(event.title.get(current_locale()))}"
        builder.button(text=label, callback_data=EventCb(id=event.id))
    others = [d for d in days if d != day]
    for other in others:
        builder.button(
            text="🗓 " + short_day(other), callback_data=DayCb(day=other.strftime("%Y%m%d"))
        )
    builder.adjust(*([1] * len(events)), *([min(len(others), 3)] if others else []))
    return builder.as_markup()


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
    builder = Keyboard()
    rows: list[int] = []
    if not attends:
        now = None
    if now is not None and rsvp_open(event, now):
        answer = record.rsvp if record is not None else None
        builder.button(
            text=rsvp_label("✅ " + _("I'll attend"), chosen=answer == "yes"),
            callback_data=RsvpCb(event=event.id, answer="y"),
        )
        builder.button(
            text=rsvp_label("✖️ " + _("Can't attend"), chosen=answer == "no"),
            callback_data=RsvpCb(event=event.id, answer="n"),
        )
        rows.append(2)
    present = record is not None and record.is_present
    if now is not None and check_in_open(event, now) and not present:
        builder.button(text="🙋 " + _("Check in"), callback_data=CheckInCb(event=event.id))
        rows.append(1)
    venue = forum.venue(event.venue)
    if venue is not None and venue.has_location:
        builder.button(text="📍 " + _("Show on map"), callback_data=VenueCb(id=venue.id))
    day = event.starts.astimezone(forum.timezone).date()
    builder.button(text="🗓 " + short_day(day), callback_data=DayCb(day=day.strftime("%Y%m%d")))
    builder.adjust(*rows, 1)
    return builder.as_markup()


async def _own_attendance(
    db: Database, delegate: Delegate | None, event: Event
) -> tuple[bool, AttendanceRecord | None]:
    """Whether the reader can answer or check in to ``event``, and their record. Attendance
    is personal: an organiser sees every card but answers only for their own events."""
    if delegate is None or not in_audience(event, delegate.group):
        return False, None
    return True, await attendance.get(db, event.id, delegate.id)


def _with_status(text: str, record: AttendanceRecord | None, forum: Forum) -> str:
    status = card_status(record, forum)
    return f"{text}\n\n{status}" if status else text


async def _day_view(
    programme: Programme, viewer: Viewer, day: date | None, today: date
) -> tuple[str, InlineKeyboardMarkup | None]:
    forum = await programme.forum()
    agenda = await programme.agenda(viewer)
    days = list(agenda.days)
    chosen = day if day is not None and day in days else nearest_day(days, today)
    if chosen is None:
        return esc(_("There are no events in the programme for you yet.")), None
    todays = list(agenda.on(chosen))
    instead = today if day is None and chosen != today else None
    text = views.day_text(forum, chosen, todays, shown_instead_of=instead)
    return text, day_keyboard(forum, chosen, todays, days)


async def schedule(
    message: Message, programme: Programme, viewer: Viewer, clock: Callable[[], datetime]
) -> None:
    forum = await programme.forum()
    today = clock().astimezone(forum.timezone).date()
    text, markup = await _day_view(programme, viewer, None, today)
    await message.answer(text, reply_markup=markup)


async def show_day(
    query: CallbackQuery,
    callback_data: DayCb,
    programme: Programme,
    viewer: Viewer,
    clock: Callable[[], datetime],
) -> None:
    try:
        day = datetime.strptime(callback_data.day, "%Y%m%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    forum = await programme.forum()
    today = clock().astimezone(forum.timezone).date()
    text, markup = await _day_view(programme, viewer, day, today)
    await query.answer()
    if isinstance(query.message, Message):
        await redraw(query.message, text, markup)
    else:
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def show_event(
    query: CallbackQuery,
    callback_data: EventCb,
    programme: Programme,
    viewer: Viewer,
    clock: Callable[[], datetime],
    db: Database,
    delegate: Delegate | None = None,
) -> None:
    forum = await programme.forum()
    event = await programme.event(callback_data.id)
    if event is None or event.status == "removed" or not concerns(event, viewer):
        await query.answer(_("This event is no longer in your programme."), show_alert=True)
        return
    attends, record = await _own_attendance(db, delegate, event)
    await query.answer()
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id,
        _with_status(views.card_text(event, forum), record, forum),
        reply_markup=card_keyboard(event, forum, clock(), attends=attends, record=record),
    )


async def show_venue(query: CallbackQuery, callback_data: VenueCb, programme: Programme) -> None:
    forum = await programme.forum()
    venue = forum.venue(callback_data.id)
    if venue is None or not venue.has_location:
        await query.answer(_("This place is no longer in the programme."), show_alert=True)
        return
    await query.answer()
    await query.bot.send_venue(  # type: ignore[union-attr]
        query.from_user.id,
        latitude=venue.lat,  # type: ignore[arg-type]
        longitude=venue.lon,  # type: ignore[arg-type]
        title=venue.name,
        address=venue.address or forum.city,
    )


async def next_(
    message: Message,
    programme: Programme,
    viewer: Viewer,
    clock: Callable[[], datetime],
    db: Database,
    delegate: Delegate | None = None,
) -> None:
    forum = await programme.forum()
    now = clock()
    upcoming = next_event((await programme.agenda(viewer)).events, now)
    if upcoming is None:
        await message.answer(esc(_("Nothing more in the programme for you. Safe travels!")))
        return
    attends, record = await _own_attendance(db, delegate, upcoming)
    await message.answer(
        _with_status(views.next_text(upcoming, forum, now), record, forum),
        reply_markup=card_keyboard(upcoming, forum, now, attends=attends, record=record),
    )


async def my_agenda(message: Message, programme: Programme, viewer: Viewer) -> None:
    forum = await programme.forum()
    agenda = await programme.agenda(viewer)
    events = agenda.events
    if not events:
        await message.answer(esc(_("There are no events in the programme for you yet.")))
        return
    parts = [bold(esc(_("Your agenda")))]
    for day in agenda.days:
        parts.append("🗓 " + bold(esc(day_label(day))))
        parts.extend(views.event_line(e, forum) for e in agenda.on(day))
    builder = Keyboard()
    for event in events:
        builder.button(
            text=_short(event.title.get(current_locale())), callback_data=EventCb(id=event.id)
        )
    builder.adjust(1)
    for chunk in split_message("\n\n".join(parts)):
        await message.answer(chunk, reply_markup=None)
    await message.answer(esc(_("Open an event:")), reply_markup=builder.as_markup())


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.callback_query.filter(IsMember())
    router.message.filter(IsMember())
    router.message.register(schedule, Command("schedule"))
    router.callback_query.register(show_day, DayCb.filter())
    router.callback_query.register(show_event, EventCb.filter())
    router.callback_query.register(show_venue, VenueCb.filter())
    router.message.register(next_, Command("next"))
    router.message.register(my_agenda, Command("my"))
    return router
