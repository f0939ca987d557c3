"""Bot API sessions for in-process benchmarks: answer every call cheaply, off the network."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, User

from bot.demo.offline import OfflineSession

BOT_USER = User(id=42, is_bot=True, first_name="Forum bot", username="forum_bench_bot")


class CheapSession(OfflineSession):
    """Serialises each call as a real session would (so keyboards and texts are paid for),
    counts it, and answers with a minimal result instead of an HTTP round trip."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._ids = itertools.count(1)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, Any] = {}
        for value in method.model_dump(warnings=False).values():
            self.prepare_value(value, bot=bot, files=files)
        self.calls += 1
        name = type(method).__name__
        if name == "GetMe":
            return BOT_USER  # type: ignore[return-value]
        if name.startswith("Send") or name == "EditMessageText":
            chat_id = int(getattr(method, "chat_id", 0) or 0)
            return Message(  # type: ignore[return-value]
                message_id=next(self._ids),
                date=datetime.now(tz=UTC),
                chat=Chat(id=chat_id, type="private"),
                from_user=BOT_USER,
                text=getattr(method, "text", None),
            ).as_(bot)
        return True  # type: ignore[return-value]


class StockSession(CheapSession):
    """:class:`CheapSession` serialising with aiogram's own ``prepare_value``: what a
    hand-written aiogram script pays (the baselines)."""

    prepare_value = BaseSession.prepare_value
