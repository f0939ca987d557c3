"""The programme for delegates: /schedule, day and event buttons, venue pins, /next, /my."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.views import programme_messages as views
from bot.views.callbacks import DayCb, EventCb, VenueCb
from bot.views.programme_buttons import card_keyboard, card_state
from bot.views.texts import current_locale
from db.connection import Database
from handlers.filters import Cmd, IsMember
from handlers.redraw import redraw
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.rules import Viewer
from schedule.services import logistics, viewing
from schedule.services.programme import Programme
from schedule.transport import rider_of


def _render_day(view: viewing.DayView) -> views.Rendered:
    return views.day_message(
        view.forum, view.day, view.events, view.days, view.shown_instead_of, view.departures
    )


def _day_key(view: viewing.DayView) -> tuple[object, ...]:
    """Everything a day's message depends on, besides the programme version."""
    return (
        "day",
        current_locale(),
        view.day,
        view.shown_instead_of,
        tuple(e.id for e in view.events),
        view.days,
        tuple(t.id for t in view.departures),
    )


def next_card(programme: Programme, card: viewing.Card, now: datetime) -> views.Rendered:
    """/next's card. Its buttons (a pydantic model each) are the same for readers in the
    same state: made once per programme version and state (a third of a /next)."""
    state = card_state(card.event, now, card.attends, card.record)
    keyboard = programme.derived(
        ("card", current_locale(), card.event.id, state),
        lambda: card_keyboard(
            card.event, card.forum, now, attends=card.attends, record=card.record
        ),
    )
    return views.next_message(card.forum, card.event, card.record, card.attends, now, keyboard)


async def schedule(
    message: Message,
    programme: Programme,
    viewer: Viewer,
    clock: Clock,
    delegate: Delegate | None = None,
) -> None:
    view = await viewing.day_view(programme, viewer, None, clock(), delegate)
    rendered = programme.derived(_day_key(view), lambda: _render_day(view))
    for text, markup in views.in_parts(rendered):  # a long day: its buttons on the last
        await message.answer(text, reply_markup=markup)


async def show_day(
    query: CallbackQuery,
    callback_data: DayCb,
    bot: Bot,
    programme: Programme,
    viewer: Viewer,
    clock: Clock,
    delegate: Delegate | None = None,
) -> None:
    try:
        day = datetime.strptime(callback_data.day, "%Y%m%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        await query.answer(views.button_gone(), show_alert=True)
        return
    view = await viewing.day_view(programme, viewer, day, clock(), delegate)
    parts = views.in_parts(programme.derived(_day_key(view), lambda: _render_day(view)))
    await query.answer()
    if isinstance(query.message, Message) and len(parts) == 1:
        await redraw(query.message, *parts[0])
    else:  # a day too long to redraw in one message is sent anew
        for text, markup in parts:
            await bot.send_message(query.from_user.id, text, reply_markup=markup)


async def show_event(
    query: CallbackQuery,
    callback_data: EventCb,
    bot: Bot,
    programme: Programme,
    viewer: Viewer,
    clock: Clock,
    db: Database,
    delegate: Delegate | None = None,
) -> None:
    card = await viewing.event_card(db, programme, viewer, delegate, callback_data.id)
    if card is None:
        await query.answer(views.event_gone(), show_alert=True)
        return
    await query.answer()
    text, markup = views.card_message(
        card.forum, card.event, card.record, card.attends, clock(), card.signatories,
        card.transports,
    )  # fmt: skip
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


async def show_venue(
    query: CallbackQuery,
    callback_data: VenueCb,
    bot: Bot,
    programme: Programme,
    viewer: Viewer,
    delegate: Delegate | None = None,
) -> None:
    found = await viewing.venue_pin(programme, callback_data.id, viewer, delegate)
    if found is None:
        await query.answer(views.place_gone(), show_alert=True)
        return
    forum, venue = found
    await query.answer()
    await bot.send_venue(
        query.from_user.id,
        latitude=venue.lat,  # type: ignore[arg-type]
        longitude=venue.lon,  # type: ignore[arg-type]
        title=venue.name,
        address=venue.address or forum.city,
    )


async def next_(
    message: Message,
    db: Database,
    programme: Programme,
    viewer: Viewer,
    clock: Clock,
    delegate: Delegate | None = None,
) -> None:
    now = clock()
    up = await viewing.next_up(db, programme, viewer, delegate, now)
    if up.departure is not None:
        text, markup = views.next_departure_message(
            up.forum, up.departure, now, late=delegate is not None
        )
    elif up.card is not None:
        text, markup = next_card(programme, up.card, now)
    else:
        text, markup = views.nothing_next(), None
    await message.answer(text, reply_markup=markup)


async def my_agenda(
    message: Message,
    programme: Programme,
    db: Database,
    viewer: Viewer,
    clock: Clock,
    delegate: Delegate | None = None,
) -> None:
    whole = await logistics.whole_programme(
        db, programme, viewer, rider_of(delegate, viewer.organiser), delegate
    )
    messages = views.agenda_messages(whole.forum, whole.days, whole.items, whole.travel, clock())
    for text, markup in messages:
        await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.callback_query.filter(IsMember())
    router.message.filter(IsMember())
    router.message.register(schedule, Cmd("schedule"))
    router.callback_query.register(show_day, DayCb.filter())
    router.callback_query.register(show_event, EventCb.filter())
    router.callback_query.register(show_venue, VenueCb.filter())
    router.message.register(next_, Cmd("next"))
    router.message.register(my_agenda, Cmd("my"))
    return router
