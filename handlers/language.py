"""/language: English, Russian or Uzbek; titles and descriptions follow the choice."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.views import language as views
from bot.views.callbacks import LangCb
from db.connection import Database
from handlers.filters import Cmd, IsMember
from handlers.redraw import redraw
from schedule.model import LANGUAGES, Delegate
from schedule.services.preferences import choose_language as remember


async def choose_language(message: Message, lang: str) -> None:
    await message.answer(views.choose_text(), reply_markup=views.language_keyboard(lang))


async def set_language(
    query: CallbackQuery,
    callback_data: LangCb,
    db: Database,
    i18n: I18n,
    delegate: Delegate | None,
) -> None:
    if callback_data.lang not in LANGUAGES:
        await query.answer(views.button_gone(), show_alert=True)
        return
    await remember(db, delegate, query.from_user.id, callback_data.lang)
    # The rest of this update speaks the new language.
    i18n.current_locale = callback_data.lang
    await query.answer(views.changed_toast())
    if isinstance(query.message, Message):
        await redraw(
            query.message,
            views.chosen_text(callback_data.lang),
            views.language_keyboard(callback_data.lang),
        )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.callback_query.filter(IsMember())
    router.message.filter(IsMember())
    router.message.register(choose_language, Cmd("language"))
    router.callback_query.register(set_language, LangCb.filter())
    return router
