"""A day's message is rendered once per programme version and shared by its readers, and
never served stale: a change, another language or another group gets its own."""

from __future__ import annotations

from bot.views.callbacks import LangCb
from schedule.services.programme import Programme
from tests.conftest import ORGANISER_ID, Chat

SHERNAYEV = 101
HEAD = 102


def test_derived_values_are_made_once_per_key_and_dropped_with_a_change() -> None:
    programme = Programme(db=None)  # type: ignore[arg-type]  # derived() needs no database
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert programme.derived("a", lambda: make("a")) == "A"
    assert programme.derived("a", lambda: make("a")) == "A"
    assert programme.derived("b", lambda: make("b")) == "B"
    assert made == ["a", "b"]
    programme.invalidate()
    assert programme.derived("a", lambda: make("a")) == "A"
    assert made == ["a", "b", "a"]


async def test_schedule_after_a_move_shows_the_new_time(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    before = (await chat.send(SHERNAYEV, "/schedule"))[-1].text
    assert "16:40" not in before
    await chat.send(ORGANISER_ID, "/move mou-tut 16:40")
    after = (await chat.send(SHERNAYEV, "/schedule"))[-1].text
    assert "16:40" in after and after != before


async def test_each_language_gets_its_own_rendering(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    english = (await chat.send(SHERNAYEV, "/schedule"))[-1].text
    await chat.press(SHERNAYEV, LangCb(lang="ru").pack())
    russian = (await chat.send(SHERNAYEV, "/schedule"))[-1].text
    assert english != russian
    assert "Время" in russian or "время" in russian
