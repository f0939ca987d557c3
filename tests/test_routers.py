"""The routers' order is a matter of speed only for commands: each command of the catalogue
is taken by exactly one router, so putting the everyday ones first changes no answer."""

from __future__ import annotations

from collections import Counter

from aiogram import Router
from aiogram.filters import Command

from bot.views.commands import DELEGATE_COMMANDS, ORGANISER_COMMANDS
from handlers import get_routers


def _routers(router: Router) -> list[Router]:
    return [router, *(r for sub in router.sub_routers for r in _routers(sub))]


def _commands(router: Router) -> list[str]:
    """The commands a router's message handlers (its sub-routers' too) are filtered on."""
    found = []
    for each in _routers(router):
        for handler in each.message.handlers:
            for kept in handler.filters or ():
                if isinstance(kept.callback, Command):
                    found += [str(c) for c in kept.callback.commands]
    return found


def test_each_command_is_taken_by_one_router_only() -> None:
    owners = Counter(c for router in get_routers() for c in set(_commands(router)))
    assert [c for c, n in owners.items() if n > 1] == []


def test_every_command_of_the_catalogue_has_its_router() -> None:
    taken = {c for router in get_routers() for c in _commands(router)}
    catalogue = {entry[0] for entry in DELEGATE_COMMANDS + ORGANISER_COMMANDS}
    assert catalogue - taken == set()


def test_the_everyday_commands_come_first_and_the_fallback_last() -> None:
    routers = get_routers()
    assert {"schedule", "next"} <= set(_commands(routers[0]))
    assert "checkin" in _commands(routers[1])
    assert routers[-1].name == "handlers.fallback"
