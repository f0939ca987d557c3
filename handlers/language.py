"""/language: the eight languages of the bot; titles and descriptions follow the choice."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.views.callbacks import LangCb
from bot.views.languages import LANGUAGE_NAMES, language_keyboard
from bot.views.texts import esc, fmt
from db import delegates
from db.connection import Database
from handlers.filters import IsMember
from handlers.redraw import redraw
from schedule.model import LANGUAGES, Delegate


async def choose_language(message: Message, lang: str) -> None:
    await message.answer(esc(_("Choose your language:")), reply_markup=language_keyboard(lang))


async def set_language(
    query: CallbackQuery,
    callback_data: LangCb,
    db: Database,
    i18n: I18n,
    delegate: Delegate | None,
) -> None:
    if callback_data.lang not in LANGUAGES:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if delegate is not None:
        await delegates.set_language(db, delegate.id, callback_data.lang)
    else:
        await delegates.set_user_language(db, query.from_user.id, callback_data.lang)
    # The rest of this update speaks the new language.
    i18n.current_locale = callback_data.lang
    await query.answer(_("Language changed."))
    if isinstance(query.message, Message):
        await redraw(
            query.message,
            fmt(_("Language: {name}"), name=LANGUAGE_NAMES[callback_data.lang]),
            language_keyboard(callback_data.lang),
        )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.callback_query.filter(IsMember())
    router.message.filter(IsMember())
    router.message.register(choose_language, Command("language"))
    router.callback_query.register(set_language, LangCb.filter())
    return router
