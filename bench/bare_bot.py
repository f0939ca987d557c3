"""The baseline bot: what a hand-written aiogram script does, and nothing more.

    python bench/bare_bot.py   (BOT_TOKEN and TELEGRAM_API_URL from the environment)

Bot + Dispatcher + one router answering a fixed text, long polling until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Message


async def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(
        os.environ["BOT_TOKEN"],
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    router = Router()

    @router.message()
    async def answer(message: Message) -> None:
        await message.answer("Your programme: plenary at 10:00, Hall 1.")

    dp = Dispatcher()
    dp.include_router(router)
    await dp.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
