"""The Bot API session the bot sends through: aiogram's own, with a cheaper serialiser.

Before a request goes out, aiogram walks the method's dumped fields with
``BaseSession.prepare_value``: one Python call per value, nine checks each, to drop the
``None`` fields and to find defaults, files, enums and dates. An inline keyboard is mostly
``None`` fields (twelve a button), so a day of the programme, 20 buttons, cost 240 such
calls: half of what a /schedule cost beyond a bare router's answer (BENCHMARKS.md).

:class:`PlainJson` takes the common case in one tight walk: a dict or list made only of
JSON's own types (str, int, float, bool, None, dicts and lists of them) has its ``None``s
dropped as aiogram would; anything else in it (a file, a default, an enum, a date, a
model) sends the whole value down aiogram's own path, so the result is always what aiogram
makes (``tests/test_session.py`` compares the two).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession

_SCALARS = frozenset({str, int, float, bool})


class _NotPlain(Exception):
    """Something in the value needs aiogram's own preparation."""


def _plain(value: Any) -> Any:
    """``value`` (a dict or list) without its ``None``s, or :class:`_NotPlain`."""
    kind = type(value)
    if kind is dict:
        prepared = {}
        for key, item in value.items():
            if item is None:
                continue
            prepared[key] = item if type(item) in _SCALARS else _plain(item)
        return prepared
    if kind is list:
        return [
            item if type(item) in _SCALARS else _plain(item) for item in value if item is not None
        ]
    raise _NotPlain


class PlainJson(BaseSession):
    """``prepare_value`` with a fast path for plain JSON values (see the module)."""

    def prepare_value(
        self, value: Any, bot: Bot, files: dict[str, Any], _dumps_json: bool = True
    ) -> Any:
        kind = type(value)
        if value is None or kind is str:
            return value  # most fields of a method: as aiogram, one call fewer
        if kind is dict or kind is list:
            try:
                plain = _plain(value)
            except _NotPlain:
                pass
            else:
                return self.json_dumps(plain) if _dumps_json else plain
        return super().prepare_value(value, bot, files, _dumps_json)


class ForumSession(PlainJson, AiohttpSession):
    """aiohttp to the Bot API, as aiogram does it, with :class:`PlainJson`."""
