"""A Bot API session that records every call instead of using the network.

Like aiogram's own ``tests/mocked_bot.py``: handler tests push real ``Update`` objects
through the real ``Dispatcher.feed_update`` and read what the bot would have sent. Texts
sent with HTML parse mode are checked as strictly as Telegram does.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetFile, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Document, File, Location, Message, User, Venue

from tests.support.telegram_html import HtmlError, check_html, visible_text

BOT_USER = User(id=42, is_bot=True, first_name="Forum bot", username="forum_test_bot")


@dataclass
class Call:
    """One API call: the method object and its parameters with the bot's defaults applied."""

    method: TelegramMethod[Any]
    params: dict[str, Any]
    result: Any = None

    @property
    def name(self) -> str:
        return type(self.method).__name__

    @property
    def text(self) -> str:
        """What a person sees of the message (tags removed, entities decoded)."""
        raw = self.params.get("text") or self.params.get("caption") or ""
        return visible_text(raw) if self.params.get("parse_mode") == "HTML" else raw

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    def buttons(self) -> list[tuple[str, str | None]]:
        """(text, callback_data or url) of every inline button, row by row."""
        markup = getattr(self.method, "reply_markup", None)
        rows = getattr(markup, "inline_keyboard", None) or []
        return [(b.text, b.callback_data or b.url) for row in rows for b in row]


# What Telegram refuses, counted as it counts: visible characters, not markup.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
CALLBACK_DATA_BYTES = 64


def _over_limit(method: TelegramMethod[Any], params: dict[str, Any]) -> str | None:
    html = params.get("parse_mode") == "HTML"
    for key, limit in (("text", TEXT_LIMIT), ("caption", CAPTION_LIMIT)):
        if key in params:
            shown = visible_text(str(params[key])) if html else str(params[key])
            if type(method).__name__ == "AnswerCallbackQuery":
                limit = ALERT_LIMIT
            if len(shown) > limit:
                return f"{key} is too long ({len(shown)} > {limit})"
    markup = getattr(method, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or []:
        for button in row:
            data = button.callback_data
            if data is not None and len(data.encode()) > CALLBACK_DATA_BYTES:
                return f"BUTTON_DATA_INVALID ({data!r} is over {CALLBACK_DATA_BYTES} bytes)"
    return None


@dataclass
class RecordingSession(BaseSession):
    """Records calls; answers them with plausible results; raises what Telegram would."""

    calls: list[Call] = field(default_factory=list)
    fail: Callable[[TelegramMethod[Any]], Exception | None] | None = None
    # Answers of the test's own for some calls (getChat, getChatMember...): None = default.
    reply: Callable[[TelegramMethod[Any]], Any] | None = None
    # file_id -> content, served by getFile and the download URL (``bot.download``).
    files: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        return None

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
        chunk_size: int = 65536, raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        file_id = url.rsplit("/", 1)[-1]
        if file_id not in self.files:
            raise TelegramBadRequest(GetFile(file_id=file_id), "Bad Request: file not found")
        yield self.files[file_id]

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, Any] = {}
        params = {
            key: self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            for key, value in method.model_dump(warnings=False).items()
        }
        params = {k: v for k, v in params.items() if v is not None}
        for name, value in files.items():
            params[f"file:{name}"] = value
        call = Call(method, params)
        self.calls.append(call)
        if self.fail is not None and (error := self.fail(method)) is not None:
            raise error
        if params.get("parse_mode") == "HTML":
            for key in ("text", "caption"):
                if key in params:
                    try:
                        check_html(str(params[key]))
                    except HtmlError as error:
                        raise TelegramBadRequest(method, f"Bad Request: {error}") from None
        if (problem := _over_limit(method, params)) is not None:
            raise TelegramBadRequest(method, f"Bad Request: {problem}")
        answer = self.reply(method) if self.reply is not None else None
        call.result = answer if answer is not None else self._answer(bot, method, params)
        return call.result  # type: ignore[no-any-return]

    def _answer(self, bot: Bot, method: TelegramMethod[Any], params: dict[str, Any]) -> Any:
        name = type(method).__name__
        if name == "GetMe":
            return BOT_USER
        if name == "GetFile":
            file_id = params["file_id"]
            size = len(self.files.get(file_id, b""))
            return File(file_id=file_id, file_unique_id=file_id, file_size=size,
                        file_path=f"documents/{file_id}")
        if name.startswith("Send") or name in ("EditMessageText", "CopyMessage"):
            chat_id = params.get("chat_id") or 0
            message: dict[str, Any] = {
                "message_id": params.get("message_id") or next(self._ids),
                "date": datetime.now(tz=UTC),
                "chat": Chat(id=int(chat_id), type="private"),
                "from_user": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if "caption" in params:
                message["caption"] = params["caption"]
            if name == "SendDocument":
                message["document"] = Document(file_id="doc", file_unique_id="doc")
            if name == "SendVenue":
                location = Location(latitude=params["latitude"], longitude=params["longitude"])
                message["venue"] = Venue(
                    location=location, title=params["title"], address=params["address"]
                )
            if name == "CopyMessage":
                return {"message_id": message["message_id"]}
            return Message(**message).as_(bot)
        return True

    # Helpers for assertions -------------------------------------------------------------

    def sent(self, name: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if (name is None or c.name == name) and (chat_id is None or c.chat_id == chat_id)
        ]

    def messages(self, chat_id: int | None = None) -> list[Call]:
        """Messages a person would see (sent texts, documents, venues, edits)."""
        shown = {"SendMessage", "EditMessageText", "SendDocument", "SendVenue", "SendPhoto"}
        return [c for c in self.sent(chat_id=chat_id) if c.name in shown]

    def last_text(self, chat_id: int | None = None) -> str:
        messages = self.messages(chat_id)
        assert messages, "the bot sent nothing"
        return messages[-1].text

    def clear(self) -> None:
        self.calls.clear()
