"""/reminders: what a delegate has chosen, and the buttons to change it."""

from __future__ import annotations

from datetime import timedelta

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views.callbacks import RemindersCb
from bot.views.keyboard import Keyboard
from bot.views.texts import duration, esc, fmt
from schedule.model import Delegate
from schedule.preferences import PreferenceError
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
    keyboard = Keyboard()
    if delegate.reminders_on:
        chosen = set(delegate_offsets(delegate, configured))
        for offset in configured:
            mark = "✅" if offset in chosen else "⬜"
            keyboard.button(
                text=f"{mark} {_label(offset)}",
                callback_data=RemindersCb(action="at", offset=f"{offset:g}"),
            )
        keyboard.button(
            text="🔕 " + _("Turn reminders off"), callback_data=RemindersCb(action="off")
        )
    else:
        keyboard.button(text="🔔 " + _("Turn reminders on"), callback_data=RemindersCb(action="on"))
    return keyboard.adjust(1).as_markup()


def for_delegates_only() -> str:
    """Plain (an alert); escape it for a message."""
    return _("Reminders are for the delegates of the forum.")


def saved() -> str:
    return _("Saved.")


def refusal(error: PreferenceError) -> str:
    if error.problem == "last":
        return _("Keep at least one time, or turn reminders off.")
    return _("This button is no longer valid.")
