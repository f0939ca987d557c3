"""A Bot API session that shows, in a terminal, what the bot would send to Telegram.

The offline demo runs the real application with this session in place of aiohttp: every
call the bot makes is answered here, and what a person would see (texts, buttons,
files, map pins, pop-up notices) is printed instead of delivered.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    Chat,
    Document,
    InlineKeyboardMarkup,
    InputFile,
    Location,
    Message,
    MessageId,
    User,
    Venue,
)

from bot.demo.offline import OfflineSession
from bot.demo.terminal import INDENT, human_size, map_link, render_html, safe_name

__all__ = ["DemoSession", "OfflineSession", "human_size", "map_link", "render_html"]

DEMO_BOT = User(id=7000000001, is_bot=True, first_name="Forum bot", username="forum_demo_bot")
# Calls that only decorate the bot in Telegram's interface: nothing to show in a terminal.
_SILENT = frozenset(
    {
        "GetMe", "SetMyCommands", "DeleteMyCommands", "SetMyDescription",
        "SetMyShortDescription", "SetChatMenuButton", "DeleteWebhook", "SendChatAction",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Button:
    """A pressable inline button as the demo numbered it."""

    text: str
    callback_data: str | None
    url: str | None
    message: Message


class DemoSession(OfflineSession):
    """Prints what the bot sends; answers like Telegram would; numbers the buttons."""

    def __init__(
        self,
        files_dir: Path,
        *,
        user_id: int,
        out: TextIO | None = None,
        color: bool | None = None,
    ) -> None:
        super().__init__()
        self.files_dir = files_dir
        self.user_id = user_id
        self.out = out or sys.stdout
        self.color = self.out.isatty() if color is None else color
        self.buttons: dict[int, Button] = {}
        self.messages: dict[tuple[int, int], Message] = {}
        self._numbers = itertools.count(1)
        self._renumber = True
        self._message_ids = itertools.count(1000)
        self.prompt = ""  # shown while waiting for the person's next line, if any

    def new_round(self) -> None:
        """The person typed something: the next buttons shown are numbered from 1 again."""
        self._renumber = True

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = type(method).__name__
        if name == "GetMe":
            return DEMO_BOT  # type: ignore[return-value]
        if name in _SILENT:
            return True  # type: ignore[return-value]
        show: Callable[[Bot, Any], Any] | None = getattr(self, f"_show_{name}", None)
        if show is None:
            self._say(f"(the bot called {method.__api_method__})")
            return True  # type: ignore[return-value]
        return await show(bot, method)  # type: ignore[no-any-return]

    # what each method looks like --------------------------------------------------------

    async def _show_SendMessage(self, bot: Bot, method: Any) -> Message:
        message = self._message(bot, method.chat_id, text=method.text)
        self._print_message(message, self._text(method.text, method.parse_mode, bot), method)
        return message

    async def _show_EditMessageText(self, bot: Bot, method: Any) -> Message:
        message = self._message(bot, method.chat_id, text=method.text, message_id=method.message_id)
        self._print_message(
            message, self._text(method.text, method.parse_mode, bot), method, edited=True
        )
        return message

    async def _show_EditMessageReplyMarkup(self, bot: Bot, method: Any) -> Message | bool:
        old = self.messages.get((int(method.chat_id or 0), int(method.message_id or 0)))
        if old is None:
            return True
        self._print_message(old, "(buttons changed)", method, edited=True)
        return old

    async def _show_SendDocument(self, bot: Bot, method: Any) -> Message:
        document = method.document
        if isinstance(document, InputFile):
            data = b"".join([chunk async for chunk in document.read(bot)])
            filename = safe_name(document.filename or "file")
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / filename
            path.write_bytes(data)
            described = f"📎 {filename} ({human_size(len(data))}), saved to {path.resolve()}"
        else:
            filename = "file"
            described = f"📎 a file already on Telegram ({document})"
        caption = method.caption
        text = described + ("\n" + self._text(caption, method.parse_mode, bot) if caption else "")
        message = self._message(
            bot,
            method.chat_id,
            caption=caption,
            document=Document(file_id=filename, file_unique_id=filename, file_name=filename),
        )
        self._print_message(message, text, method)
        return message

    async def _show_SendVenue(self, bot: Bot, method: Any) -> Message:
        lat, lon = float(method.latitude), float(method.longitude)
        text = "\n".join(
            [
                f"📍 {method.title}",
                method.address,
                f"{lat:.5f}, {lon:.5f}",
                map_link(lat, lon),
            ]
        )
        location = Location(latitude=lat, longitude=lon)
        venue = Venue(location=location, title=method.title, address=method.address)
        message = self._message(bot, method.chat_id, venue=venue)
        self._print_message(message, text, method)
        return message

    async def _show_SendLocation(self, bot: Bot, method: Any) -> Message:
        lat, lon = float(method.latitude), float(method.longitude)
        location = Location(latitude=lat, longitude=lon)
        message = self._message(bot, method.chat_id, location=location)
        self._print_message(message, f"📍 {lat:.5f}, {lon:.5f}\n{map_link(lat, lon)}", method)
        return message

    async def _show_SendPhoto(self, bot: Bot, method: Any) -> Message:
        caption = method.caption
        text = "🖼 a photo" + ("\n" + self._text(caption, method.parse_mode, bot) if caption else "")
        message = self._message(bot, method.chat_id, caption=caption)
        self._print_message(message, text, method)
        return message

    async def _show_SendContact(self, bot: Bot, method: Any) -> Message:
        name = " ".join(p for p in (method.first_name, method.last_name) if p)
        message = self._message(bot, method.chat_id)
        self._print_message(message, f"👤 contact card: {name}, ☎ {method.phone_number}", method)
        return message

    async def _show_SendMediaGroup(self, bot: Bot, method: Any) -> list[Message]:
        shown = []
        for item in method.media:
            caption = self._text(item.caption, item.parse_mode, bot) if item.caption else ""
            message = self._message(bot, method.chat_id, caption=item.caption)
            self._print_message(message, "🖼 a photo" + (f"\n{caption}" if caption else ""), item)
            shown.append(message)
        return shown

    async def _show_PinChatMessage(self, bot: Bot, method: Any) -> bool:
        where = "" if int(method.chat_id) == self.user_id else f" in chat {method.chat_id}"
        self._say(f"(📌 the bot pinned message #{method.message_id}{where}, silently)")
        return True

    async def _show_UnpinChatMessage(self, bot: Bot, method: Any) -> bool:
        self._say(f"(the bot unpinned message #{method.message_id})")
        return True

    async def _show_CopyMessage(self, bot: Bot, method: Any) -> MessageId:
        message = self._message(bot, method.chat_id)
        original = self.messages.get((int(method.from_chat_id), int(method.message_id)))
        copied = original.text or original.caption if original is not None else None
        self._print_message(
            message,
            f"(a copy of message #{method.message_id})" + (f"\n{copied}" if copied else ""),
            method,
        )
        return MessageId(message_id=message.message_id)

    async def _show_DeleteMessage(self, bot: Bot, method: Any) -> bool:
        self._say(f"(the bot deleted message #{method.message_id})")
        return True

    async def _show_AnswerCallbackQuery(self, bot: Bot, method: Any) -> bool:
        if method.text:
            label = "alert" if method.show_alert else "notice"
            self._say(f"bot ({label}): {method.text}")
        return True

    # helpers ----------------------------------------------------------------------------

    def _text(self, text: str | None, parse_mode: Any, bot: Bot) -> str:
        if text is None:
            return ""
        if isinstance(parse_mode, Default):  # the bot's default, not yet applied
            parse_mode = bot.default[parse_mode.name]
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            return render_html(text, color=self.color)
        return text

    def _message(
        self, bot: Bot, chat_id: Any, message_id: int | None = None, **content: Any
    ) -> Message:
        chat = int(chat_id or 0)
        message = Message(
            message_id=message_id or next(self._message_ids),
            date=datetime.now(tz=UTC),
            chat=Chat(id=chat, type="private"),
            from_user=DEMO_BOT,
            **{k: v for k, v in content.items() if v is not None},
        ).as_(bot)
        self.messages[(chat, message.message_id)] = message
        return message

    def _print_message(
        self, message: Message, text: str, method: Any, *, edited: bool = False
    ) -> None:
        who = "bot"
        if message.chat.id != self.user_id:
            who = f"bot → chat {message.chat.id}"
        if edited:
            who += f" (edited message #{message.message_id})"
        lines = (text or "").split("\n")
        rendered = [f"{who}: {lines[0]}"] + [INDENT + line for line in lines[1:]]
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup) and message.chat.id == self.user_id:
            rendered.extend(self._number(markup, message))
        self._say("\n".join(rendered) + "\n")

    def _number(self, markup: InlineKeyboardMarkup, message: Message) -> list[str]:
        if self._renumber:
            self.buttons.clear()
            self._numbers = itertools.count(1)
            self._renumber = False
        rows = []
        for row in markup.inline_keyboard:
            labels = []
            for button in row:
                number = next(self._numbers)
                self.buttons[number] = Button(
                    button.text, button.callback_data, button.url, message
                )
                suffix = f" ({button.url})" if button.url else ""
                labels.append(f"[{number}] {button.text}{suffix}")
            rows.append(INDENT + "   ".join(labels))
        return rows

    def note(self, text: str) -> None:
        """A remark of the demo itself (not something the bot sent)."""
        self._say(text)

    def _say(self, text: str) -> None:
        # A reminder can arrive while the prompt waits for the person: keep the prompt last.
        waiting = self.prompt
        if waiting:
            print(file=self.out)
        print(text, file=self.out, flush=True)
        if waiting:
            print(waiting, end="", file=self.out, flush=True)
