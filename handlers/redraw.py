"""Redrawing a message the bot sent, after a button press."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message


async def redraw(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit ``message`` to show ``text`` and ``markup``.

    A double tap, a button of an older copy, or a second organiser's identical change leave
    nothing to change, and Telegram refuses such an edit as "message is not modified": the
    message already shows what it should, so that refusal is not an error. Others are.
    """
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise
