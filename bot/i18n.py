"""Translations: aiogram's I18n over the gettext catalogues in ``bot/locales``."""

from __future__ import annotations

import gettext
from pathlib import Path

from aiogram.utils.i18n import I18n

from bot.views.languages import LANGUAGE_NAMES
from schedule.model import LANGUAGES

__all__ = ["LANGUAGE_NAMES", "create_i18n", "language_from_telegram"]

LOCALES_PATH = Path(__file__).parent / "locales"


def create_i18n() -> I18n:
    """aiogram's I18n with the catalogues under the bot's language codes.

    A catalogue's folder is named as Babel spells a locale (``uz_Cyrl``); the bot, the
    database and the forum file say ``uz-Cyrl``, the language tag. (Not a subclass of
    I18n: aiogram keeps the current instance per class, and its ``gettext`` looks it up
    on I18n itself.)
    """
    i18n = I18n(path=LOCALES_PATH, default_locale="en", domain="messages")
    i18n.locales = _by_language_code(i18n.locales)
    return i18n


def _by_language_code(
    locales: dict[str, gettext.GNUTranslations],
) -> dict[str, gettext.GNUTranslations]:
    return {folder.replace("_", "-"): t for folder, t in locales.items()}


def language_from_telegram(language_code: str | None) -> str:
    """The first language of a new user, from the language tag of their Telegram app: one of
    the bot's languages when Telegram says so, else English.

    Telegram's apps have Uzbek in the Latin alphabet only and send ``uz`` for it, so ``uz``
    reads Latin (the official alphabet); a reader of Cyrillic chooses Ўзбекча with
    /language. A tag that names the script (``uz-Cyrl``, ``uz-Cyrl-UZ``) is honoured.
    """
    subtags = (language_code or "").replace("_", "-").lower().split("-")
    if subtags[0] == "uz" and "cyrl" in subtags[1:]:
        return "uz-Cyrl"
    return subtags[0] if subtags[0] in LANGUAGES else "en"
