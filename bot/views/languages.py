"""The eight languages as the reader sees them: each in its own name, and the /language
keyboard."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.views.callbacks import LangCb
from bot.views.keyboard import Keyboard
from schedule.model import LANGUAGES

# Each in its own name, never translated: the keyboard and /help must be readable by
# someone who cannot read the language the bot is speaking now.
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "uz": "Oʻzbekcha",
    "uz-Cyrl": "Ўзбекча",
    "tg": "Тоҷикӣ",
    "kk": "Қазақша",
    "ky": "Кыргызча",
    "tk": "Türkmençe",
}
ALL_LANGUAGES = ", ".join(LANGUAGE_NAMES[code] for code in LANGUAGES)


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """Two a row, the current one ticked."""
    keyboard = Keyboard()
    for code in LANGUAGES:
        mark = "✅ " if code == current else ""
        keyboard.button(text=mark + LANGUAGE_NAMES[code], callback_data=LangCb(lang=code))
    return keyboard.adjust(2).as_markup()
