"""Real ``Update`` objects as Telegram would deliver them, for ``Dispatcher.feed_update``."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from tests.support.recording import BOT_USER

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(user_id: int, *, first_name: str = "Delegate", language_code: str | None = "en") -> User:
    return User(id=user_id, is_bot=False, first_name=first_name, language_code=language_code)


def message(
    user_id: int,
    text: str | None = None,
    *,
    first_name: str = "Delegate",
    language_code: str | None = "en",
    document: Document | None = None,
    photo: list[PhotoSize] | None = None,
    caption: str | None = None,
    chat_id: int | None = None,
    chat_type: str = "private",
    reply_to: Message | None = None,
) -> Update:
    entities = None
    if text and text.startswith("/"):
        command = text.split()[0]
        entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
    msg = Message(
        message_id=next(_message_ids),
        date=datetime.now(tz=UTC),
        chat=Chat(id=user_id if chat_id is None else chat_id, type=chat_type),
        from_user=user(user_id, first_name=first_name, language_code=language_code),
        text=text,
        entities=entities,
        document=document,
        photo=photo,
        caption=caption,
        reply_to_message=reply_to,
    )
    return Update(update_id=next(_update_ids), message=msg)


def callback(
    user_id: int, data: str, *, message_id: int = 1, language_code: str | None = "en", **kw: Any
) -> Update:
    origin = Message(
        message_id=message_id,
        date=datetime.now(tz=UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=BOT_USER,
        text="…",
    )
    query = CallbackQuery(
        id=str(next(_update_ids)),
        from_user=user(user_id, language_code=language_code, **kw),
        chat_instance="ci",
        message=origin,
        data=data,
    )
    return Update(update_id=next(_update_ids), callback_query=query)
