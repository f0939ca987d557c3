"""bot.session.PlainJson prepares every request exactly as aiogram's own session does: the
fast path for plain JSON values changes the cost, never the bytes Telegram receives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    EditMessageText,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPoll,
    SendVenue,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from bot.session import ForumSession, PlainJson
from bot.views.callbacks import EventCb
from bot.views.keyboard import Keyboard


class Stock(BaseSession):
    """aiogram's own preparation."""

    async def close(self) -> None: ...

    async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any: ...

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any: ...


class Fast(PlainJson, Stock):
    pass


BOT = Bot("123456:TEST-token", default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def _day_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for n in range(20):
        text = f"10:{n:02d} Подписание меморандума ʻ{n}"
        keyboard.button(text=text, callback_data=EventCb(id=f"e{n}"))
    keyboard.button(text="Map", url="https://maps.example/?q=38.5,68.7&z=16")
    keyboard.adjust(1)
    return keyboard.as_markup()


METHODS: list[TelegramMethod[Any]] = [
    SendMessage(chat_id=1, text="<b>Day</b> &amp; night", reply_markup=_day_keyboard()),
    SendMessage(
        chat_id=-100123,
        text="x",
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_parameters=ReplyParameters(message_id=5),
        disable_notification=False,
    ),
    SendMessage(
        chat_id="@delegation",
        text="y",
        reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Share", request_contact=True)]], resize_keyboard=True
        ),
    ),
    EditMessageText(
        chat_id=1,
        message_id=9,
        text="z",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="✓", callback_data="a:1")], []]
        ),
    ),
    SendDocument(
        chat_id=1,
        document=BufferedInputFile(b"report", filename="Отчёт.docx"),
        caption="Report",
        reply_markup=_day_keyboard(),
    ),
    SendMediaGroup(
        chat_id=1,
        media=[
            InputMediaPhoto(media=BufferedInputFile(b"p", filename="p.jpg"), caption="a"),
            InputMediaDocument(media="file-id-1"),
        ],
    ),
    SendVenue(chat_id=1, latitude=38.57, longitude=68.78, title="Hall", address="Dushanbe"),
    SendPoll(
        chat_id=1,
        question="Q?",
        options=["one", "two"],
        open_period=600,
        close_date=datetime(2026, 9, 14, 9, 0, tzinfo=UTC),
    ),
    SetMyCommands(commands=[BotCommand(command="next", description="What is next")]),
]


def _prepared(session: BaseSession, method: TelegramMethod[Any]) -> dict[str, Any]:
    files: dict[str, Any] = {}
    fields = {
        key: session.prepare_value(value, bot=BOT, files=files)
        for key, value in method.model_dump(warnings=False).items()
    }
    # File keys are random (secrets.token_urlsafe): compare what they point to.
    names = {f"attach://{key}": f"attach://{file.filename}" for key, file in files.items()}
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    for key, name in names.items():
        text = text.replace(key, name)
    return json.loads(text)


def test_every_kind_of_request_is_prepared_as_aiogram_prepares_it() -> None:
    for method in METHODS:
        assert _prepared(Fast(), method) == _prepared(Stock(), method), type(method).__name__


def test_a_keyboard_drops_its_empty_fields_and_keeps_its_texts() -> None:
    markup = _prepared(Fast(), METHODS[0])["reply_markup"]
    buttons = [b for row in json.loads(markup)["inline_keyboard"] for b in row]
    assert buttons[0] == {"text": "10:00 Подписание меморандума ʻ0", "callback_data": "e:e0"}
    assert buttons[-1] == {"text": "Map", "url": "https://maps.example/?q=38.5,68.7&z=16"}


def test_values_that_are_not_plain_json_take_aiogram_s_path() -> None:
    fast, files = Fast(), {}
    assert fast.prepare_value({"period": timedelta(minutes=5)}, BOT, files) == (
        Stock().prepare_value({"period": timedelta(minutes=5)}, BOT, files)
    )
    assert fast.prepare_value([None, 1, "a", {"b": None, "c": [True]}], BOT, files) == (
        '[1, "a", {"c": [true]}]'
    )


def test_the_bot_sends_through_it() -> None:
    assert issubclass(ForumSession, PlainJson)
