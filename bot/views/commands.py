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

from schedule.model import LANGUAGES

log = logging.getLogger(__name__)


def N_(text: str) -> str:
    """Marks a text for extraction into the catalogues; translated later with a locale."""
    return text


DESCRIPTION = N_(
    "The programme, reminders and attendance of an official delegation at a forum. "
    "Open the personal invitation link from the organisers to start."
)
DELEGATE_COMMANDS = (
    ("schedule", N_("Today's programme")),
    ("next", N_("What is next for you")),
    ("my", N_("Your agenda for the whole forum")),
    ("calendar", N_("Your agenda as a calendar file")),
    ("checkin", N_("Check in to the event that is starting")),
    ("reminders", N_("Reminders on or off, and when")),
    ("language", N_("Language")),
    ("help", N_("What the bot can do")),
)
ORGANISER_COMMANDS = (
    ("broadcast", N_("Send a message to the delegation")),
    ("move", N_("Move an event")),
    ("cancel", N_("Cancel an event")),
    ("import", N_("Import a forum file")),
    ("attendance", N_("Roll-call of an event")),
    ("export", N_("Attendance as a CSV file")),
    ("delegates", N_("Delegates and invitation links")),
    ("invite", N_("Invite a new delegate")),
    ("stats", N_("Who uses the bot")),
    ("log", N_("The last organiser actions")),
)


def _commands(i18n: I18n, lang: str, pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(command=c, description=i18n.gettext(d, locale=lang)) for c, d in pairs]


async def set_commands(bot: Bot, i18n: I18n, admin_ids: frozenset[int]) -> None:
    """Set the menus; a failure only decorates less, so it is logged and the bot serves on.

    The calls are independent and go at once: one after the other they held up the start
    (and so polling) by a round trip each, 3 languages x (2 + organisers) of them.
    """
    calls: list[Coroutine[Any, Any, bool]] = []
    for lang in LANGUAGES:
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
