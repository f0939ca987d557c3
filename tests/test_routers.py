"""The routers' order is a matter of speed only for commands: each command of the catalogue
is taken by exactly one router, so putting the everyday ones first changes no answer."""

from __future__ import annotations

import re
from collections import Counter

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message, User

from bot.views.commands import DELEGATE_COMMANDS, ORGANISER_COMMANDS
from handlers import get_routers
from handlers.filters import Cmd, CommandGate, commands_only
from tests.support import updates


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


class _Bot:
    """All a Command filter asks of the bot: who it is (for /cmd@mention)."""

    async def me(self) -> User:
        return User(id=42, is_bot=True, first_name="Forum", username="forum_bot")


TEXTS = [
    "/next", "/next@forum_bot", "/next@Forum_Bot now", "/next@other_bot", "/NEXT", "/Next",
    "/next tomorrow", "/next\nmore", "next", "!next", "/nextday", "/schedule", "/", "",
    " /next", "/next@", "/checkin@forum_bot x", "привет /next", "/ʻnext",
]  # fmt: skip


async def test_cmd_refuses_and_accepts_exactly_as_aiogram_s_command() -> None:
    filters = [
        ((("next", "checkin"), {}), None),
        ((("next",), {"ignore_case": True}), None),
        ((("next",), {"prefix": "/!"}), None),
        ((("next",), {"ignore_mention": True}), None),
        ((("next", re.compile(r"next\w*")), {}), None),
    ]
    for (values, options), _ in filters:
        ours, theirs = Cmd(*values, **options), Command(*values, **options)
        for text in TEXTS:
            for message in (updates.message(7, text).message, _captioned(text)):
                assert message is not None
                got = await ours(message, _Bot())  # type: ignore[arg-type]
                want = await theirs(message, _Bot())  # type: ignore[arg-type]
                assert _seen(got) == _seen(want), (values, options, text)


def _captioned(text: str) -> Message:
    message = updates.message(7, "x").message
    assert message is not None
    return message.model_copy(update={"text": None, "caption": text})


def _seen(result: object) -> object:
    """A filter's result without the regexp match object (equal only to itself)."""
    if not isinstance(result, dict):
        return result
    c = result["command"]
    return (c.prefix, c.command, c.mention, c.args, c.regexp_match and c.regexp_match[0])


def _gates() -> list[tuple[Router, CommandGate]]:
    found = []
    for router in get_routers():
        first = router.message._handler.filters
        if first and isinstance(first[0].callback, CommandGate):
            found.append((router, first[0].callback))
    return found


def test_routers_of_commands_only_have_a_gate_and_the_others_none() -> None:
    gated = {router.name for router, _ in _gates()}
    assert {"handlers.programme", "handlers.attendance", "handlers.logistics"} <= gated
    # Photos and texts in a flow: these routers take more than commands.
    assert not gated & {"handlers.agreements", "handlers.broadcast", "handlers.fallback"}


async def test_a_gate_refuses_only_what_every_command_filter_behind_it_refuses() -> None:
    photo = updates.message(7, "x").message
    assert photo is not None
    photo = photo.model_copy(update={"text": None})
    for router, gate in _gates():
        cmds = [
            kept.callback
            for each in _routers(router)
            for handler in each.message.handlers
            for kept in handler.filters or ()
            if isinstance(kept.callback, Cmd)
        ]
        texts = TEXTS + [f"/{c}" for c in gate.names] + [f"/{c}@forum_bot x" for c in gate.names]
        messages = [m for t in texts for m in (updates.message(7, t).message, _captioned(t))]
        for message in [*messages, photo]:
            assert message is not None
            if not await gate(message):
                for cmd in cmds:
                    assert await cmd(message, _Bot()) is False, (router.name, message.text)  # type: ignore[arg-type]
        # And it lets each of its commands through.
        for name in gate.names:
            message = updates.message(7, f"/{name}").message
            assert message is not None and await gate(message)


def test_no_gate_on_a_router_with_a_handler_on_anything_but_a_command() -> None:
    router = Router()
    router.message.register(_noop, Cmd("next"))
    router.message.register(_noop)  # any message
    assert commands_only(router) is False
    assert router.message._handler.filters == []


async def _noop(message: Message) -> None:
    return None
