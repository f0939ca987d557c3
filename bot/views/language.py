"""/language: the texts around the keyboard of bot/views/languages."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.views.languages import LANGUAGE_NAMES, language_keyboard
from bot.views.texts import esc, fmt

__all__ = [
    "LANGUAGE_NAMES",
    "button_gone",
    "changed_toast",
    "choose_text",
    "chosen_text",
    "language_keyboard",
]


def choose_text() -> str:
    return esc(_("Choose your language:"))


def chosen_text(lang: str) -> str:
    return fmt(_("Language: {name}"), name=LANGUAGE_NAMES[lang])


def changed_toast() -> str:
    return _("Language changed.")


def button_gone() -> str:
    return _("This button is no longer valid.")
