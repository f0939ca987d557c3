"""The day pinned in each delegate's chat: the morning briefing, pinned silently, edited
when that day's agenda changes, the previous day's pin removed.

Venue Wi-Fi at official events is often poor: the pinned message holds the day on the
phone even without a connection. Every request goes through the paced sender.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from aiogram.methods import EditMessageText, PinChatMessage, UnpinChatMessage
from aiogram.types import InlineKeyboardMarkup

from bot.delivery.sender import SenderClosed
from bot.delivery.service import DeliveryService
from bot.views import notices
from db import delegates, pins
from db.pins import DayPin
from schedule.briefings import briefing_events
from schedule.model import Delegate, EventChange, Forum, TransportChange
from schedule.rules import local_day
from schedule.services.programme import NoForumError, Programme
from schedule.transport import rider_of

log = logging.getLogger(__name__)
# Telegram's answer when an edit would change nothing; the pin is already current.
_NOT_MODIFIED = "message is not modified"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


async def briefing_of(programme: Programme, person: Delegate, day: date) -> str:
    """The morning briefing of ``day`` for ``person``: events and departures, in order."""
    forum = await programme.forum()
    events = briefing_events(forum.events, person, day, forum.timezone)
    departures = [
        t
        for t in await programme.departures(rider_of(person))
        if local_day(t.departs, forum.timezone) == day
    ]
    return notices.briefing_text(forum, day, events, departures)


@dataclass
class PinAfterSending:
    """A briefing's render that pins the message once it is sent (see the notifier)."""

    pins: DayPins
    person: Delegate
    day: date
    text: str = field(default="", init=False)

    def __call__(self) -> tuple[str, InlineKeyboardMarkup | None]:
        return self.text, None

    async def prepare(self) -> None:
        self.text = await briefing_of(self.pins.programme, self.person, self.day)

    async def after_sent(self, message_id: int | None) -> None:
        if message_id is not None:
            await self.pins.pin(self.person, self.day, message_id, self.text)


class DayPins(DeliveryService):
    async def briefing(self, person: Delegate, day: date) -> PinAfterSending:
        """The render of a morning briefing that pins itself after sending."""
        render = PinAfterSending(self, person, day)
        with self.i18n.context(), self.i18n.use_locale(person.language or "en"):
            await render.prepare()
        return render

    async def pin(self, person: Delegate, day: date, message_id: int, text: str) -> None:
        """Pin the day's briefing silently; unpin the previous day's."""
        chat = person.telegram_id
        if chat is None:
            return
        try:
            previous = await pins.pin_of(self.db, person.id)
            if previous is not None and previous.message_id != message_id:
                await self.sender.send(
                    chat, UnpinChatMessage(chat_id=chat, message_id=previous.message_id)
                )
            outcome = await self.sender.send(
                chat,
                PinChatMessage(chat_id=chat, message_id=message_id, disable_notification=True),
            )
        except SenderClosed:
            return
        if outcome.status != "sent":
            log.warning("could not pin the briefing for delegate %s: %s", person.id, outcome.error)
            await pins.forget_pin(self.db, person.id)
            return
        pin = DayPin(person.id, day, chat, message_id, digest(text))
        await pins.save_pin(self.db, pin, self.clock())

    async def on_changes(self, changes: Sequence[EventChange | TransportChange]) -> None:
        await self.refresh()

    async def refresh(self) -> int:
        """Edit today's pinned briefings whose day changed; returns how many were edited."""
        try:
            forum = await self.programme.forum()
        except NoForumError:
            return 0
        today = local_day(self.clock(), forum.timezone)
        current = await pins.pins_of_day(self.db, today)
        if not current:
            return 0
        people = await delegates.by_ids(self.db, [p.delegate_id for p in current])
        edited = 0
        for pin in current:
            person = people.get(pin.delegate_id)
            if person is None or not person.active or person.telegram_id is None:
                continue
            edited += await self._edit(forum, person, pin)
        return edited

    async def _edit(self, forum: Forum, person: Delegate, pin: DayPin) -> int:
        with self.i18n.context(), self.i18n.use_locale(person.language or "en"):
            text = await briefing_of(self.programme, person, pin.day)
        if digest(text) == pin.digest:
            return 0
        try:
            outcome = await self.sender.send(
                pin.chat_id,
                EditMessageText(chat_id=pin.chat_id, message_id=pin.message_id, text=text),
            )
        except SenderClosed:
            return 0
        if outcome.status == "sent" or _NOT_MODIFIED in (outcome.error or ""):
            await pins.set_digest(self.db, person.id, digest(text), self.clock())
            return 1
        # Deleted by the delegate, or too old to edit: stop trying; tomorrow's pin is new.
        log.warning("could not edit the pinned day of delegate %s: %s", person.id, outcome.error)
        await pins.forget_pin(self.db, person.id)
        return 0
