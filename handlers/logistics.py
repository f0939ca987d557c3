"""The delegation's logistics: /transport, /contacts, and "I'm running late"."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.delivery.logistics import Departures
from bot.views import contacts as contact_views
from bot.views import logistics as views
from bot.views.callbacks import LateCb
from handlers.filters import Cmd, IsMember
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.services import logistics
from schedule.services.programme import Programme
from schedule.transport import rider_of


async def transport(
    message: Message,
    programme: Programme,
    clock: Clock,
    delegate: Delegate | None = None,
    organiser: bool = False,
) -> None:
    board = await logistics.transport_board(programme, rider_of(delegate, organiser), clock())
    text, markup = views.transport_board(board.forum, board.departures)
    await message.answer(text, reply_markup=markup)


async def contacts(
    message: Message,
    programme: Programme,
    delegate: Delegate | None = None,
    organiser: bool = False,
) -> None:
    """The list with a link for each username, then a contact card (sendContact) for each
    phone, so one tap calls or saves it."""
    found = await logistics.contacts(programme, rider_of(delegate, organiser))
    text, markup = contact_views.contacts_text(found)
    await message.answer(text, reply_markup=markup)
    for card in contact_views.contact_cards(found):
        await message.answer_contact(
            phone_number=card.phone, first_name=card.first_name, last_name=card.last_name
        )


async def running_late(
    query: CallbackQuery,
    callback_data: LateCb,
    departures: Departures,
    delegate: Delegate | None = None,
) -> None:
    if delegate is None:  # an organiser without a delegate's seat in the car
        await query.answer(views.late_answer("not_yours"), show_alert=True)
        return
    report = await departures.running_late(delegate, callback_data.id)
    if report is None:
        await query.answer(views.late_answer("not_yours"), show_alert=True)
        return
    await query.answer(views.late_answer(report.verdict), show_alert=True)


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.message.filter(IsMember())
    router.callback_query.filter(IsMember())
    router.message.register(transport, Cmd("transport"))
    router.message.register(contacts, Cmd("contacts"))
    router.callback_query.register(running_late, LateCb.filter())
    return router
