"""Inline keyboards built in linear time.

aiogram's ``InlineKeyboardBuilder`` deep-copies its whole markup (pydantic buttons included)
on every ``button()``, and again in ``adjust()`` and ``as_markup()``: quadratic in the number
of buttons. A day of 15 events took ~18 ms of a ~20 ms ``/schedule`` (see BENCHMARKS.md).
:class:`Keyboard` has the same three calls and the same layout rules, without the copies.
"""

from __future__ import annotations

from itertools import chain, repeat

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

MAX_WIDTH = 8  # Telegram's (and aiogram's) widest row


class Keyboard:
    """``button(...)`` calls, then ``adjust(*sizes)``, then ``as_markup()``."""

    def __init__(self) -> None:
        self._buttons: list[InlineKeyboardButton] = []
        self._sizes: tuple[int, ...] = (MAX_WIDTH,)

    def button(
        self, *, text: str, callback_data: CallbackData | str | None = None, url: str | None = None
    ) -> Keyboard:
        if isinstance(callback_data, CallbackData):
            callback_data = callback_data.pack()
        self._buttons.append(InlineKeyboardButton(text=text, callback_data=callback_data, url=url))
        return self

    def adjust(self, *sizes: int) -> Keyboard:
        """Row sizes in order; the last one repeats for the remaining buttons (as aiogram)."""
        for size in sizes:
            if not 1 <= size <= MAX_WIDTH:
                raise ValueError(f"row size {size} is not within 1..{MAX_WIDTH}")
        self._sizes = sizes or (MAX_WIDTH,)
        return self

    def as_markup(self) -> InlineKeyboardMarkup:
        rows: list[list[InlineKeyboardButton]] = []
        widths = chain(self._sizes, repeat(self._sizes[-1]))
        position = 0
        while position < len(self._buttons):
            width = next(widths)
            rows.append(self._buttons[position : position + width])
            position += width
        return InlineKeyboardMarkup(inline_keyboard=rows)
