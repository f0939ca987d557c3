"""The services few handlers use reach just those handlers (bot.dispatcher.provide): every
update's data stays narrow, since aiogram copies it at each router and filter it passes."""

from __future__ import annotations

from dataclasses import fields

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.filters import Filter
from aiogram.types import Message

from bot.dispatcher import provide
from bot.lifecycle import EVERY_UPDATE, App, Services
from bot.middlewares import Provide
from tests.support import updates


def _provided_to(router: Router, event: str) -> set[str]:
    found: set[str] = set()
    for each in router.chain_head:
        observer = each.observers.get(event)
        for middleware in observer.middleware if observer else ():
            if isinstance(middleware, Provide):
                found |= middleware.values.keys()
    return found


def test_every_update_carries_only_the_everyday_services(app: App) -> None:
    assert set(app.dispatcher.workflow_data) == set(EVERY_UPDATE)


def test_every_handler_is_given_each_service_it_names(app: App) -> None:
    services = {f.name for f in fields(Services)} | {"i18n"}
    checked = 0
    for router in app.dispatcher.sub_routers:
        for each in router.chain_tail:
            for event, observer in each.observers.items():
                for handler in observer.handlers:
                    named = handler.params & services
                    given = set(app.dispatcher.workflow_data) | _provided_to(each, event)
                    assert named <= given, (each.name, handler.callback.__name__, named - given)
                    checked += bool(named - set(EVERY_UPDATE))
    assert checked >= 8  # broadcasts, changes, departures, signing_notices, i18n are named


def test_the_everyday_routers_get_nothing_more(app: App) -> None:
    for router in app.dispatcher.sub_routers:
        if router.name in ("handlers.programme", "handlers.attendance"):
            for event in ("message", "callback_query"):
                assert _provided_to(router, event) == set(), router.name


class _NamesTheService(Filter):
    async def __call__(self, message: Message, broadcasts: object) -> bool:
        return True


async def _handler(message: Message, broadcasts: object) -> None:
    return None


def test_a_filter_naming_a_provided_service_is_refused_at_start() -> None:
    dp, router = Dispatcher(), Router(name="x")
    router.message.register(_handler, _NamesTheService())
    dp.include_router(router)
    with pytest.raises(ValueError, match="broadcasts"):
        provide(dp, {"broadcasts": object()})


async def test_a_provided_service_reaches_its_handler_through_the_dispatcher(app: App) -> None:
    dp, router = Dispatcher(), Router(name="x")
    seen: list[object] = []

    async def handler(message: Message, broadcasts: object) -> None:
        seen.append(broadcasts)

    router.message.register(handler, F.text == "hi")
    dp.include_router(router)
    token = object()
    provide(dp, {"broadcasts": token, "changes": object()})
    await dp.feed_update(app.bot, updates.message(7, "hi"))
    assert seen == [token]
