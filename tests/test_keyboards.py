"""Keyboard lays buttons out exactly as aiogram's InlineKeyboardBuilder does."""

from __future__ import annotations

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.views.callbacks import DayCb, EventCb
from bot.views.keyboard import Keyboard


def _both(count: int, sizes: tuple[int, ...]) -> tuple[object, object]:
    ours, theirs = Keyboard(), InlineKeyboardBuilder()
    for n in range(count):
        data = EventCb(id=f"ev-{n}") if n % 2 else DayCb(day=f"2023091{n % 10}")
        ours.button(text=f"Button {n}", callback_data=data)
        theirs.button(text=f"Button {n}", callback_data=data)
    if sizes != ():
        ours.adjust(*sizes)
        theirs.adjust(*sizes)
    return ours.as_markup().model_dump(), theirs.as_markup().model_dump()


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (0, ()),
        (3, ()),
        (11, ()),
        (15, (1,) * 12 + (3,)),
        (17, (1,) * 12 + (3,)),
        (4, (2, 1)),
        (2, (1,)),
        (5, (2, 1, 1, 1)),
    ],
)
def test_same_layout_as_aiogram(count: int, sizes: tuple[int, ...]) -> None:
    ours, theirs = _both(count, sizes)
    assert ours == theirs


def test_url_buttons_and_bad_sizes() -> None:
    markup = Keyboard().button(text="Map", url="https://example.org").as_markup()
    assert markup.inline_keyboard[0][0].url == "https://example.org"
    with pytest.raises(ValueError, match="row size 9"):
        Keyboard().adjust(9)
