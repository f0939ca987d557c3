"""/language: each language in its own name, and the keyboard to choose one."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views.callbacks import LangCb
from bot.views.keyboard import Keyboard
from bot.views.texts import esc, fmt
from schedule.model import LANGUAGES

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha"}


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for code in LANGUAGES:
        mark = "✅ " if code == current else ""
        keyboard.button(text=mark + LANGUAGE_NAMES[code], callback_data=LangCb(lang=code))
    return keyboard.adjust(3).as_markup()


def choose_text() -> str:
    return esc(_("Choose your language:"))


def chosen_text(lang: str) -> str:
    return fmt(_("Language: {name}"), name=LANGUAGE_NAMES[lang])


def changed_toast() -> str:
    return _("Language changed.")


def button_gone() -> str:
    return _("This button is no longer valid.")
