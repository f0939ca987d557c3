"""Dispatcher assembly: workflow data, middlewares, routers, the error handler."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.middlewares import (
    LanguageMiddleware,
    UpdatesInFlight,
    ViewerMiddleware,
)
from bot.views.texts import esc
from handlers import get_routers

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent) -> bool:
    """Log with the update id and answer the user politely; never show a traceback."""
    update = event.update
    if isinstance(event.exception, TelegramRetryAfter):
        # An answer flood control held back past its patience (the budget logged it with
        # the update id): an apology would only meet the same flood control.
        return True
    log.exception("update %s failed", update.update_id, exc_info=event.exception)
    text = _("Sorry, something went wrong. Please try again in a moment.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.answer(esc(text))
    except Exception:  # the apology itself may fail (network down); the log has the cause
        log.warning("could not apologise for update %s", update.update_id, exc_info=True)
    return True


def create_dispatcher(
    *,
    i18n: I18n,
    in_flight: UpdatesInFlight | None = None,
    **workflow_data: Any,
) -> Dispatcher:
    """A fresh dispatcher; long-lived dependencies reach handlers by parameter name.

    Expected in ``workflow_data``: ``db``, ``settings``, ``programme``, ``clock`` and the
    services the routers use (``sender``, ``reminders``, ``broadcasts``...). ``in_flight``
    tracks the updates being handled, for the stop to wait for (and counts them, when the
    app gives it the metrics).
    """
    dp = Dispatcher(**workflow_data)
    dp.update.outer_middleware(in_flight if in_flight is not None else UpdatesInFlight())
    dp.update.outer_middleware(ViewerMiddleware(i18n))
    dp.errors.outer_middleware(LanguageMiddleware(i18n))
    dp.errors.register(on_error)
    dp.include_routers(*get_routers())
    return dp
