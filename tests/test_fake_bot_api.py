import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from tests.support.fake_bot_api import DROP, FakeBotApi, UploadedFile

TOKEN = "42:TEST"


def make_bot(api: FakeBotApi, token: str = TOKEN) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = make_bot(api)
    yield bot
    await bot.session.close()


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "forum_test_bot"


async def test_send_message_is_recorded_and_parsed(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="ev:1")]]
    )
    first = await bot.send_message(5, "<b>Hi</b> &amp; 123", reply_markup=markup)
    second = await bot.send_message(5, "123")
    other = await bot.send_message(6, "x")

    assert first.text == "Hi & 123"
    assert first.reply_markup is not None
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "ev:1"
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    [recorded, plain] = api.sent("sendMessage", chat_id=5)
    assert recorded.params["text"] == "<b>Hi</b> &amp; 123"
    assert recorded.params["parse_mode"] == "HTML"
    assert recorded.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ev:1"
    assert plain.params["text"] == "123"  # a digit-only text stays a string


async def test_edit_and_delete(bot: Bot) -> None:
    message = await bot.send_message(5, "old")
    edited = await bot.edit_message_text(text="new", chat_id=5, message_id=message.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "new"
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text(text="new", chat_id=5, message_id=message.message_id)
    assert await bot.delete_message(5, message.message_id)
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.delete_message(5, message.message_id)


async def test_send_document_records_the_upload(api: FakeBotApi, bot: Bot) -> None:
    upload = BufferedInputFile(b"BEGIN:VCALENDAR", filename="event.ics")
    message = await bot.send_document(5, upload, caption="Your plan")

    assert message.document is not None
    assert message.document.file_name == "event.ics"
    [recorded] = api.sent("sendDocument")
    assert recorded.params["document"] == UploadedFile(
        "event.ics", b"BEGIN:VCALENDAR", "application/octet-stream"
    )


async def test_venue_location_photo_copy(bot: Bot) -> None:
    venue = await bot.send_venue(5, 55.7, 37.6, "Hall A", "1 Forum Street")
    assert venue.venue is not None
    assert venue.venue.title == "Hall A"
    assert (await bot.send_location(5, 55.7, 37.6)).location is not None
    assert (await bot.send_photo(5, "https://example.org/map.png")).photo
    copied = await bot.copy_message(6, from_chat_id=5, message_id=venue.message_id)
    assert copied.message_id == 1


async def test_rate_limit_answers_429_as_retry_after() -> None:
    async with FakeBotApi(rate_limit=2) as api:
        bot = make_bot(api)
        try:
            await bot.send_message(1, "a")
            await bot.send_message(2, "b")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(3, "c")
        finally:
            await bot.session.close()
    assert caught.value.retry_after >= 1
    assert api.count_429 == 1
    assert len(api.sent()) == 2


async def test_per_chat_limit() -> None:
    async with FakeBotApi(per_chat_limit=1) as api:
        bot = make_bot(api)
        try:
            await bot.send_message(1, "a")
            await bot.send_message(2, "a")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(1, "b")
        finally:
            await bot.session.close()


async def test_blocked_user_is_forbidden() -> None:
    async with FakeBotApi(blocked={13}) as api:
        bot = make_bot(api)
        try:
            with pytest.raises(TelegramForbiddenError, match="blocked"):
                await bot.send_message(13, "hi")
        finally:
            await bot.session.close()
    assert [r.status for r in api.requests] == [403]


async def test_injected_faults(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 500, DROP, 400)
    with pytest.raises(TelegramServerError):
        await bot.send_message(1, "a")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(1, "a")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1, "a")
    assert (await bot.send_message(1, "a")).message_id == 1


async def test_invalid_token() -> None:
    async with FakeBotApi(valid_token=TOKEN) as api:
        bot = make_bot(api, token="43:OTHER")
        try:
            with pytest.raises(TelegramUnauthorizedError):
                await bot.get_me()
        finally:
            await bot.session.close()


async def test_get_updates_returns_pushed_updates(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(100, "/start", first_name="Ada", language_code="ru")
    updates = await bot.get_updates(timeout=0)
    [update] = updates
    assert update.message is not None
    assert update.message.text == "/start"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "ru"

    # Confirming by offset forgets the update; a long poll wakes when a new one arrives.
    sent = await bot.send_message(100, "Menu")
    poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=5))
    await api.wait_for(lambda r: r.method == "getUpdates", count=2)
    api.push_callback(100, "menu:open")
    [pressed] = await poll
    assert pressed.callback_query is not None
    assert pressed.callback_query.data == "menu:open"
    assert pressed.callback_query.message is not None
    assert pressed.callback_query.message.message_id == sent.message_id


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == []


async def test_wait_for(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    found = await api.wait_for(lambda r: r.method == "sendMessage", count=2, timeout=1)
    assert [r.chat_id for r in found] == [1, 2]
