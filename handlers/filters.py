"""Who may use a router: members of the delegation, or organisers only.

The filters name only what they read: aiogram passes a filter with ``**kwargs`` the whole
update's data, copied at every router an update passes.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import Command, CommandObject, Filter
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
    """aiogram's ``Command``, which tells the plain cases at a glance.

    aiogram parses the text in full for every command handler an update is tried against,
    and each refusal is an exception raised and caught: a /checkin tried against the
    programme's three commands first paid three (~0.03 ms). A text whose first word has
    another prefix or another name is refused here the way aiogram would refuse it, and
    one that is exactly a prefix and one of the names (no mention, no magic) gets the
    ``CommandObject`` aiogram would make; every other case (a mention, a pattern, a magic
    filter) is aiogram's own ``Command``. ``tests/test_routers.py`` compares the two.
    """

    def __init__(self, *values: Any, **kwargs: Any) -> None:
        super().__init__(*values, **kwargs)
        names = [c for c in self.commands if isinstance(c, str)]
        self._names = frozenset(names) if len(names) == len(self.commands) else None

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        names = self._names
        parsed = _first_word(message) if names is not None else None
        if names is not None and parsed is not None:
            prefix, name, mentioned, args = parsed
            if not _is_one_of(prefix, name, self.prefix, names, self.ignore_case):
                return False
            if not mentioned and self.magic is None:
                return {"command": CommandObject(prefix, name, None, args=args)}
        return await super().__call__(message, bot)


def _first_word(message: object) -> tuple[str, str, bool, str | None] | None:
    """The first word of a message's text or caption as aiogram's ``Command`` splits it:
    (prefix, name, whether a @mention follows, the rest); None without a word."""
    text = (message.text or message.caption) if isinstance(message, Message) else None
    words = text.split(maxsplit=1) if text else None
    if not words:
        return None
    first = words[0]
    name, at, _ = first[1:].partition("@")
    return first[0], name, bool(at), words[1] if len(words) > 1 else None


def _is_one_of(
    prefix: str, name: str, prefixes: str, names: frozenset[str], ignore_case: bool
) -> bool:
    """Whether aiogram's ``Command`` could take it: the prefix and the name, as it compares."""
    return prefix in prefixes and (name.casefold() if ignore_case else name) in names


class CommandGate(Filter):
    """A router's first filter on messages when it takes only commands: a message that is
    none of them goes on to the next router at once, instead of being tried against the
    router's other filters and each of its handlers (about 10 µs each, BENCHMARKS.md).
    Built by :func:`commands_only`; what it lets through, the handlers' own filters judge."""

    def __init__(self, names: frozenset[str], prefix: str, ignore_case: bool) -> None:
        self.names = names
        self.prefix = prefix
        self.ignore_case = ignore_case

    async def __call__(self, message: Message) -> bool:
        parsed = _first_word(message)
        return parsed is not None and _is_one_of(
            parsed[0], parsed[1], self.prefix, self.names, self.ignore_case
        )


def commands_only(router: Router) -> bool:
    """Put a :class:`CommandGate` first on ``router``'s messages when every message handler
    of it and of its sub-routers is a :class:`Cmd` of plain names with the same prefix and
    case rule (a message its gate refuses is then refused by every one of them, and by
    sub-routers it never reaches). Returns whether it did."""
    cmds = []
    for handler in (h for each in router.chain_tail for h in each.message.handlers):
        found = [f.callback for f in handler.filters or () if isinstance(f.callback, Cmd)]
        if len(found) != 1 or found[0]._names is None:
            return False  # a handler on anything but a command: photos, texts in a flow
        cmds.append(found[0])
    if not cmds or len({(c.prefix, c.ignore_case) for c in cmds}) != 1:
        return False
    names = frozenset().union(*(c._names for c in cmds if c._names is not None))
    gate = CommandGate(names, cmds[0].prefix, cmds[0].ignore_case)
    # First, before the router's own filters (aiogram's ``filter()`` would append it).
    router.message._handler.filters.insert(0, FilterObject(gate))
    return True
