"""The recording session refuses what Telegram refuses, so handler tests catch it."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tests.support.recording import RecordingSession


@pytest.fixture
def bot() -> Bot:
    return Bot(
        "123:abc", session=RecordingSession(), default=DefaultBotProperties(parse_mode="HTML")
    )


async def test_limits(bot: Bot) -> None:
    await bot.send_message(1, "<b>" + "x" * 4096 + "</b>")  # markup does not count
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.answer_callback_query("q", text="y" * 201, show_alert=True)
    too_long = InlineKeyboardButton(text="b", callback_data="d" * 65)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(
            1, "z", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[too_long]])
        )
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1, "R&D <Lab>")
