"""/start with or without an invitation code, and /help."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.settings import Settings
from bot.views.texts import bold, duration, esc, fmt
from db.connection import Database
from schedule.model import Delegate
from schedule.services.joining import join

log = logging.getLogger(__name__)


def delegate_commands_text() -> str:
    return "\n".join(
        [
            "/schedule — " + esc(_("today's programme")),
            "/next — " + esc(_("what is next for you")),
            "/my — " + esc(_("your agenda for the whole forum")),
            "/calendar — " + esc(_("your agenda as a calendar file")),
            "/checkin — " + esc(_("check in to the event that is starting")),
            "/reminders — " + esc(_("reminders on or off, and when")),
            "/language — " + esc(_("English, Русский, Oʻzbekcha")),
            "/help — " + esc(_("this list")),
        ]
    )


def organiser_commands_text() -> str:
    return "\n".join(
        [
            "/broadcast [GROUP] — " + esc(_("send a message to the delegation")),
            "/move EVENT HH:MM — " + esc(_("move an event")),
            "/cancel EVENT — " + esc(_("cancel an event")),
            "/import — " + esc(_("import a forum file (attach it)")),
            "/attendance [EVENT] — " + esc(_("roll-call of an event")),
            "/export [EVENT] — " + esc(_("attendance as a CSV file")),
            "/delegates — " + esc(_("delegates and their invitation links")),
            "/invite NAME [GROUP] — " + esc(_("invite a new delegate")),
            "/stats — " + esc(_("who uses the bot")),
            "/log — " + esc(_("the last organiser actions")),
        ]
    )


def stranger_text() -> str:
    return esc(
        _(
            "This bot serves an official delegation, and its programme is not public.\n\n"
            "If you are a member of the delegation, open the personal invitation link the "
            "organisers sent you, or send /start followed by your invitation code."
        )
    )


def welcome_text(delegate: Delegate | None, organiser: bool) -> str:
    parts: list[str] = []
    if delegate is not None:
        parts.append(fmt(_("Welcome, {name}!"), name=delegate.name))
        parts.append(esc(_("Here is what I can do for you:")))
        parts.append(delegate_commands_text())
    if organiser:
        if delegate is None:
            parts.append(esc(_("Welcome! You are an organiser of this forum.")))
            parts.append(delegate_commands_text())
        parts.append(bold(esc(_("Organisers"))))
        parts.append(organiser_commands_text())
    return "\n\n".join(parts)


async def start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
    delegate: Delegate | None,
    organiser: bool,
    lang: str,
) -> None:
    code = (command.args or "").strip()
    user = message.from_user
    if not code or user is None or (delegate is not None and delegate.code == code):
        if delegate is None and not organiser:
            await message.answer(stranger_text())
        else:
            await message.answer(welcome_text(delegate, organiser))
        return
    outcome = await join(
        db,
        code=code,
        telegram_id=user.id,
        telegram_name=user.full_name,
        delegation_code=settings.delegation_code,
        language=lang,
        now=clock(),
    )
    if outcome.status in ("joined", "already"):
        await message.answer(welcome_text(outcome.delegate, organiser))
    elif outcome.status == "taken":
        await message.answer(
            esc(
                _(
                    "This invitation has already been used from another Telegram account. "
                    "The organisers have been told and will contact you."
                )
            )
        )
        assert outcome.delegate is not None
        await _alert_organisers(bot, settings, outcome.delegate, user.id, user.full_name)
    elif outcome.status == "slowed":
        assert outcome.retry_at is not None
        await message.answer(
            fmt(
                _("Too many wrong codes. Please try again in {duration}."),
                duration=duration(outcome.retry_at - clock()),
            )
        )
    else:
        await message.answer(
            esc(_("This code is not valid. Please check the link the organisers sent you."))
        )


async def _alert_organisers(
    bot: Bot, settings: Settings, delegate: Delegate, telegram_id: int, telegram_name: str
) -> None:
    """A forwarded invitation link: the organisers must know who tried to use it."""
    text = fmt(
        _("Invitation of {name} was tried from another account: {who} (id {id})."),
        name=delegate.name,
        who=telegram_name,
        id=telegram_id,
    )
    for admin in sorted(settings.admin_ids):
        try:
            await bot.send_message(admin, "⚠️ " + text)
        except TelegramAPIError as error:
            log.warning("could not alert organiser %s: %s", admin, error)


async def help_(message: Message, delegate: Delegate | None, organiser: bool) -> None:
    if delegate is None and not organiser:
        await message.answer(stranger_text())
    else:
        await message.answer(welcome_text(delegate, organiser))


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    return router
