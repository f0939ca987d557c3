"""Translations: aiogram's I18n over the gettext catalogues in ``bot/locales``."""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n

from bot.views.language import LANGUAGE_NAMES
from schedule.model import LANGUAGES

__all__ = ["LANGUAGE_NAMES", "create_i18n", "language_from_telegram"]

LOCALES_PATH = Path(__file__).parent / "locales"


def create_i18n() -> I18n:
    return I18n(path=LOCALES_PATH, default_locale="en", domain="messages")


def language_from_telegram(language_code: str | None) -> str:
    """The first language of a new user: Russian or Uzbek when Telegram says so, else English."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in LANGUAGES else "en"
