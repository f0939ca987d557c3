"""The command menu per language, and a larger one in organisers' chats. Best effort."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.views.commands import DELEGATE_COMMANDS, DESCRIPTION, ORGANISER_COMMANDS, Entry, menu
from schedule.model import LANGUAGES

log = logging.getLogger(__name__)
# Telegram keys a menu by a two-letter ISO 639-1 code, and there is none for a script:
# uz-Cyrl has no menu of its own. Telegram's apps send uz for Uzbek, whose readers get the
# Uzbek (Latin) menu; the bot's answers follow the language chosen with /language.
MENU_LANGUAGES = tuple(lang for lang in LANGUAGES if len(lang) == 2)


def _commands(i18n: I18n, lang: str, entries: tuple[Entry, ...]) -> list[BotCommand]:
    def translate(text: str) -> str:
        return i18n.gettext(text, locale=lang)

    return [BotCommand(command=c, description=d) for c, d in menu(entries, translate)]


async def set_commands(bot: Bot, i18n: I18n, admin_ids: frozenset[int]) -> None:
    """Set the menus; a failure only decorates less, so it is logged and the bot serves on.

    The calls are independent and go at once: one after the other they held up the start
    (and so polling) by a round trip each, 7 menu languages x (2 + organisers) of them.
    """
    calls: list[Coroutine[Any, Any, bool]] = []
    for lang in MENU_LANGUAGES:
        # The English menu is also the default for every other language.
        code = None if lang == "en" else lang
        calls.append(
            bot.set_my_commands(
                _commands(i18n, lang, DELEGATE_COMMANDS), BotCommandScopeDefault(), code
            )
        )
        calls.append(
            bot.set_my_description(i18n.gettext(DESCRIPTION, locale=lang), language_code=code)
        )
        for admin in sorted(admin_ids):
            calls.append(
                bot.set_my_commands(
                    _commands(i18n, lang, DELEGATE_COMMANDS + ORGANISER_COMMANDS),
                    BotCommandScopeChat(chat_id=admin),
                    code,
                )
            )
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, TelegramAPIError):
            raise outcome
    errors = [o for o in outcomes if isinstance(o, TelegramAPIError)]
    if errors:
        log.warning(
            "could not set the command menu (%d of %d calls): %s",
            len(errors), len(outcomes), errors[0],
        )  # fmt: skip
