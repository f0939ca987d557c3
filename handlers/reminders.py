"""/reminders: a delegate turns reminders (and the morning briefing) on or off, and picks
which of the configured times before an event they want."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.settings import Settings
from bot.views import reminders as views
from bot.views.callbacks import RemindersCb
from bot.views.texts import esc
from db.connection import Database
from handlers.filters import Cmd, IsMember
from handlers.redraw import redraw
from schedule.model import Delegate
from schedule.preferences import PreferenceError
from schedule.services.preferences import change_reminders as change


async def show_reminders(message: Message, delegate: Delegate | None, settings: Settings) -> None:
    if delegate is None:
        await message.answer(esc(views.for_delegates_only()))
        return
    configured = settings.reminder_offsets
    await message.answer(
        views.reminders_text(delegate, configured),
        reply_markup=views.reminders_keyboard(delegate, configured),
    )


async def change_reminders(
    query: CallbackQuery,
    callback_data: RemindersCb,
    delegate: Delegate | None,
    settings: Settings,
    db: Database,
) -> None:
    if delegate is None:
        await query.answer(views.for_delegates_only(), show_alert=True)
        return
    configured = settings.reminder_offsets
    try:
        updated = await change(db, delegate, configured, callback_data.action, callback_data.offset)
    except PreferenceError as error:
        await query.answer(views.refusal(error), show_alert=True)
        return
    await query.answer(views.saved())
    if isinstance(query.message, Message):
        await redraw(
            query.message,
            views.reminders_text(updated, configured),
            views.reminders_keyboard(updated, configured),
        )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.callback_query.filter(IsMember())
    router.message.filter(IsMember())
    router.message.register(show_reminders, Cmd("reminders"))
    router.callback_query.register(change_reminders, RemindersCb.filter())
    return router
