"""Dispatcher assembly: workflow data, middlewares, routers, the error handler."""

from __future__ import annotations

import logging
from collections.abc import KeysView, Mapping
from typing import Any

from aiogram import Dispatcher
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.middlewares import (
    LanguageMiddleware,
    Provide,
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
    provided: Mapping[str, object] | None = None,
    **workflow_data: Any,
) -> Dispatcher:
    """A fresh dispatcher; long-lived dependencies reach handlers by parameter name.

    ``workflow_data`` (``db``, ``settings``, ``programme``, ``clock``) is in every update's
    data; ``provided`` (the services few routers use) and ``i18n`` reach only the handlers
    that name them (:func:`provide`). ``in_flight`` tracks the updates being handled, for
    the stop to wait for (and counts them, when the app gives it the metrics).
    """
    dp = Dispatcher(**workflow_data)
    dp.update.outer_middleware(in_flight if in_flight is not None else UpdatesInFlight())
    dp.update.outer_middleware(ViewerMiddleware(i18n))
    dp.errors.outer_middleware(LanguageMiddleware(i18n))
    dp.errors.register(on_error)
    dp.include_routers(*get_routers())
    provide(dp, {"i18n": i18n, **(provided or {})})
    return dp


def provide(dp: Dispatcher, values: Mapping[str, object]) -> None:
    """Give each router, as an inner middleware of its events, the ``values`` its handlers
    (its sub-routers' too) name, rather than putting them in every update's data.

    aiogram copies an update's data at each router and filter it passes: each key there
    cost every update ~1.5 µs, and six services few handlers use cost a /checkin 5%
    (BENCHMARKS.md). An inner middleware runs only once a handler's filters have passed,
    so a router's values cost nothing to updates that only pass by. Filters run before it:
    one naming such a value is refused here, at start, rather than failing on an update.
    """
    for router in (dp, *dp.sub_routers):
        # The dispatcher's own inner middlewares would reach every router: its own handlers.
        routers = (router,) if router is dp else tuple(router.chain_tail)
        for event, observer in router.observers.items():
            if router is dp and event == "update":
                continue  # aiogram's own handler, which passes every update on to the routers
            handlers = [h for each in routers for h in each.observers[event].handlers]
            wanted = _wanted(handlers, values.keys())
            if wanted:
                observer.middleware(Provide({name: values[name] for name in sorted(wanted)}))


def _wanted(handlers: list[HandlerObject], names: KeysView[str]) -> set[str]:
    wanted: set[str] = set()
    for handler in handlers:
        wanted |= set(names) if handler.varkw else handler.params & names
        for kept in handler.filters or ():
            if kept.params & names:
                raise ValueError(
                    f"filter {kept.callback!r} names {sorted(kept.params & names)}: "
                    "provided values reach handlers only"
                )
    return wanted
