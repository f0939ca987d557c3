"""How a broadcast shows in a chat: the Bot API call for its content, each delegate's
copy, and Telegram's limits as Telegram counts them."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.views.callbacks import BroadcastCb
from bot.views.texts import bold, esc, utf16_len
from db.broadcasts import Broadcast, Content, Recipient

# What Telegram accepts from a bot, counted without the HTML tags (see `visible_length`).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^<>]*>")


def content_method(
    content: Content,
    chat_id: int,
    *,
    html: str | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> TelegramMethod[Any]:
    """The Bot API call that shows `content` in `chat_id` (also the organiser's preview)."""
    html = content.html if html is None else html
    if content.kind == "photo":
        return SendPhoto(chat_id=chat_id, photo=content.file_id, caption=html, reply_markup=markup)
    if content.kind == "document":
        return SendDocument(
            chat_id=chat_id, document=content.file_id, caption=html, reply_markup=markup
        )
    return SendMessage(chat_id=chat_id, text=html, reply_markup=markup)


def visible_length(html: str) -> int:
    """How Telegram measures an HTML text against its limits: without the tags, entities
    decoded, in UTF-16 code units (an emoji outside the BMP counts two)."""
    return utf16_len(html_module.unescape(_TAG.sub("", html)))


def content_limit(content: Content) -> int:
    """Telegram's limit for this content: a message's text, or a caption."""
    return TEXT_LIMIT if content.kind == "text" else CAPTION_LIMIT


def delegate_copy(broadcast: Broadcast, recipient: Recipient, i18n: I18n) -> TelegramMethod[Any]:
    """The delegate's copy, with a "Received" button in their language if asked."""
    content = broadcast.content
    assert recipient.telegram_id is not None
    with i18n.context(), i18n.use_locale(recipient.language or "en"):
        html = content.html
        if content.reminder_of is not None:
            label = _("Reminder")
            header = f"🔔 {bold(esc(label))}\n\n"
            # A message already at Telegram's limit goes without the header rather than
            # being refused for everyone ("message is too long").
            if visible_length(header + html) <= content_limit(content):
                html = header + html
        markup = None
        if broadcast.confirm:
            builder = InlineKeyboardBuilder()
            builder.button(
                text="✅ " + _("Received"),
                callback_data=BroadcastCb(id=broadcast.confirms, action="ok"),
            )
            markup = builder.as_markup()
    return content_method(content, recipient.telegram_id, html=html, markup=markup)
