"""Telling the signatories that their agreement was marked signed: one message each, in
their language, through the one paced sender (like every push)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiogram.methods import SendMessage
from aiogram.utils.i18n import I18n

from bot.delivery.priority import Priority, sending_as
from bot.delivery.sender import PacedSender, SenderClosed
from bot.views.agreements import signed_notice
from db import delegates
from db.connection import Database
from schedule.clock import Clock
from schedule.model import Agreement, Delegate, Forum

log = logging.getLogger(__name__)


class SigningNotices:
    """Implements ``schedule.services.agreements.SigningNotices``."""

    def __init__(self, db: Database, sender: PacedSender, i18n: I18n, clock: Clock) -> None:
        self._db = db
        self._sender = sender
        self._i18n = i18n
        self._clock = clock

    async def signed(self, agreement: Agreement, forum: Forum, people: Sequence[Delegate]) -> int:
        reachable = [
            p for p in people if p.registered and p.active and p.blocked_at is None
        ]
        told = await asyncio.gather(*(self._tell(agreement, forum, p) for p in reachable))
        return sum(told)

    async def _tell(self, agreement: Agreement, forum: Forum, person: Delegate) -> bool:
        assert person.telegram_id is not None
        with self._i18n.context(), self._i18n.use_locale(person.language or "en"):
            text = signed_notice(agreement, forum)
        try:
            with sending_as(Priority.URGENT):
                outcome = await self._sender.send(
                    person.telegram_id, SendMessage(chat_id=person.telegram_id, text=text)
                )
        except SenderClosed:  # the bot is stopping: the organiser's answer says who was told
            return False
        if outcome.status == "blocked":
            await delegates.mark_blocked(self._db, person.id, self._clock())
        elif outcome.status == "failed":
            log.warning("signing notice to delegate %s failed: %s", person.id, outcome.error)
        return outcome.status == "sent"
