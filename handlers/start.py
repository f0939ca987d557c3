"""/start with or without an invitation code, and /help."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.settings import Settings
from bot.views import start as views
from db.connection import Database
from handlers.filters import Cmd
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.services.joining import join

log = logging.getLogger(__name__)


async def start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    db: Database,
    settings: Settings,
    clock: Clock,
    delegate: Delegate | None,
    organiser: bool,
    lang: str,
) -> None:
    code = (command.args or "").strip()
    user = message.from_user
    if not code or user is None or (delegate is not None and delegate.code == code):
        await message.answer(views.welcome_text(delegate, organiser))
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
        await message.answer(views.welcome_text(outcome.delegate, organiser))
    elif outcome.status == "taken" and outcome.delegate is not None:
        await message.answer(views.taken_text())
        if outcome.alert:  # once per while per invitation, not once per try
            alert = views.taken_alert(
                outcome.delegate, user.full_name, user.id, outcome.unreported
            )
            await _alert_organisers(bot, settings, alert)
    elif outcome.status == "slowed" and outcome.retry_at is not None:
        await message.answer(views.slowed_text(outcome.retry_at - clock()))
    else:
        await message.answer(views.invalid_code_text())


async def _alert_organisers(bot: Bot, settings: Settings, text: str) -> None:
    """A forwarded invitation link: the organisers must know who tried to use it."""
    for admin in sorted(settings.admin_ids):
        try:
            await bot.send_message(admin, text)
        except TelegramAPIError as error:
            log.warning("could not alert organiser %s: %s", admin, error)


async def help_(message: Message, delegate: Delegate | None, organiser: bool) -> None:
    await message.answer(views.welcome_text(delegate, organiser))


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(help_, Cmd("help"))
    return router
