"""/reminders: a delegate turns reminders (and the morning briefing) on or off, and picks
which of the configured times before an event they want."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.settings import Settings
from bot.views.callbacks import RemindersCb
from bot.views.texts import duration, esc, fmt
from db import delegates
from db.connection import Database
from handlers.filters import IsMember
from handlers.redraw import redraw
from schedule.model import Delegate
from schedule.reminders import delegate_offsets


def _label(offset: float) -> str:
    return duration(timedelta(minutes=offset))


def reminders_text(delegate: Delegate, configured: tuple[float, ...]) -> str:
    if not delegate.reminders_on:
        return esc(_("Reminders are off. You get no reminders and no morning briefing."))
    chosen = delegate_offsets(delegate, configured)
    return fmt(
        _("Reminders are on: {times} before each signing ceremony and lecture, and a morning "
          "briefing at 08:00 on forum days."),
        times=", ".join(_label(o) for o in chosen),
    )  # fmt: skip


def reminders_keyboard(delegate: Delegate, configured: tuple[float, ...]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if delegate.reminders_on:
        chosen = set(delegate_offsets(delegate, configured))
        for offset in configured:
            mark = "✅" if offset in chosen else "⬜"
            builder.button(
                text=f"{mark} {_label(offset)}",
                callback_data=RemindersCb(action="at", offset=f"{offset:g}"),
            )
        builder.button(
            text="🔕 " + _("Turn reminders off"), callback_data=RemindersCb(action="off")
        )
    else:
        builder.button(text="🔔 " + _("Turn reminders on"), callback_data=RemindersCb(action="on"))
    builder.adjust(1)
    return builder.as_markup()


async def show_reminders(message: Message, delegate: Delegate | None, settings: Settings) -> None:
    if delegate is None:
        await message.answer(esc(_("Reminders are for the delegates of the forum.")))
        return
    configured = settings.reminder_offsets
    await message.answer(
        reminders_text(delegate, configured), reply_markup=reminders_keyboard(delegate, configured)
    )


async def change_reminders(
    query: CallbackQuery,
    callback_data: RemindersCb,
    delegate: Delegate | None,
    settings: Settings,
    db: Database,
) -> None:
    configured = settings.reminder_offsets
    if delegate is None:
        await query.answer(_("Reminders are for the delegates of the forum."), show_alert=True)
        return
    on, offsets = delegate.reminders_on, delegate.reminder_offsets
    if callback_data.action in ("on", "off"):
        on = callback_data.action == "on"
    elif callback_data.action == "at" and delegate.reminders_on:
        try:
            offset = float(callback_data.offset)
        except ValueError:
            offset = -1.0
        if offset not in configured:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        chosen = set(delegate_offsets(delegate, configured)) ^ {offset}
        if not chosen:
            await query.answer(_("Keep at least one time, or turn reminders off."), show_alert=True)
            return
        offsets = None if chosen == set(configured) else tuple(sorted(chosen, reverse=True))
    else:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await delegates.set_reminders(db, delegate.id, on=on, offsets=offsets)
    updated = await delegates.by_id(db, delegate.id)
    assert updated is not None
    await query.answer(_("Saved."))
    if isinstance(query.message, Message):
        await redraw(
            query.message,
            reminders_text(updated, configured),
            reminders_keyboard(updated, configured),
        )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.callback_query.filter(IsMember())
    router.message.filter(IsMember())
    router.message.register(show_reminders, Command("reminders"))
    router.callback_query.register(change_reminders, RemindersCb.filter())
    return router
