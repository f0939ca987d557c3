"""Who may use a router: members of the delegation, or organisers only.

The filters name only what they read: aiogram passes a filter with ``**kwargs`` the whole
update's data, copied at every router an update passes.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

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
