"""The last router: unknown commands, stray texts, strangers, stale or forged buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.views.commands import ORGANISER_ONLY
from bot.views.start import stranger_text
from bot.views.texts import esc
from schedule.model import Delegate


def _command(text: str | None) -> str | None:
    """'/move@forum_bot x' -> 'move'."""
    if not text or not text.startswith("/"):
        return None
    return text.split()[0][1:].split("@")[0].lower()


async def anything_else(message: Message, delegate: Delegate | None, organiser: bool) -> None:
    if delegate is None and not organiser:
        await message.answer(stranger_text())
    elif not organiser and _command(message.text or message.caption) in ORGANISER_ONLY:
        await message.answer(esc(_("This command is for the organisers only.")))
    elif message.text and message.text.startswith("/"):
        await message.answer(esc(_("I do not know this command. Send /help to see what I can do.")))
    else:
        await message.answer(esc(_("I understand commands only. Send /help to see what I can do.")))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer valid."), show_alert=True)


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.message.register(anything_else)
    router.callback_query.register(stale_button)
    return router
