"""Who may use a router: members of the delegation, or organisers only.

The filters name only what they read: aiogram passes a filter with ``**kwargs`` the whole
update's data, copied at every router an update passes.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.filters import Command, Filter
from aiogram.types import Message, TelegramObject

from schedule.model import Delegate


class IsMember(Filter):
    """A registered delegate or an organiser: strangers fall through to the fallback router."""

    async def __call__(
        self,
        event: TelegramObject,
        delegate: Delegate | None = None,
        organiser: bool = False,
    ) -> bool:
        return delegate is not None or organiser


class IsOrganiser(Filter):
    """A Telegram user id listed in ADMIN_IDS (never a username)."""

    async def __call__(self, event: TelegramObject, organiser: bool = False) -> bool:
        return organiser


class Cmd(Command):
    """aiogram's ``Command``, which says "not this command" at a glance.

    aiogram parses the text in full for every command handler an update is tried against,
    and each refusal is an exception raised and caught: a /checkin tried against the
    programme's three commands first paid three (~0.03 ms). A text whose first word has
    another prefix or another name is refused here the way aiogram would refuse it; every
    other case (a match, a mention, a pattern) is aiogram's own ``Command``.
    """

    def __init__(self, *values: Any, **kwargs: Any) -> None:
        super().__init__(*values, **kwargs)
        names = [c for c in self.commands if isinstance(c, str)]
        self._names = frozenset(names) if len(names) == len(self.commands) else None

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        text = (message.text or message.caption) if isinstance(message, Message) else None
        if self._names is not None and text:
            words = text.split(maxsplit=1)
            if words:
                first = words[0]
                name = first[1:].partition("@")[0]
                if self.ignore_case:
                    name = name.casefold()
                if first[0] not in self.prefix or name not in self._names:
                    return False
        return await super().__call__(message, bot)
