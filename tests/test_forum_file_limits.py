"""Careless and hostile forum files get a named error like any bad file, whatever the
text: years that overflow, deep nesting, huge dotted keys, a byte order mark, invisible
titles (issue 15, findings 12, 13 and 16)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from schedule.forum_file import ForumFileError, parse_forum
from schedule.toml_limits import MAX_CHARACTERS, MAX_KEYS
from tests.conftest import ORGANISER_ID, Chat
from tests.support.process import bot_env, run_bot
from tests.test_forum_file import BASE, FILE, assert_error, edit
from tests.test_organisers_console import send_document, snapshot


@pytest.mark.parametrize("year", ["9999", "0001", "1999", "2101"])
def test_a_year_outside_the_century_is_an_error_not_an_overflow(year: str) -> None:
    text = edit("starts = 2023-09-14T10:00:00", f"starts = {year}-01-01T00:00:00")
    text = edit("ends = 2023-09-14T11:00:00", f"ends = {year}-01-01T01:00:00", text)
    assert_error(text, 'event "mou-tut"', "starts", f"year {int(year)} is out of range")


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("deep = " + "[" * 3000 + "]" * 3000, "nested more than 8 levels deep"),
        ("deep = " + "{a = " * 3000 + "1" + "}" * 3000, "nested more than 8 levels deep"),
        ("a" + ".a" * 30_000 + " = 1", "a dotted key has 30,001 parts"),
        ('"a".' * 20 + '"b" = 1', "a dotted key has 21 parts"),
    ],
)
def test_deep_or_dotted_files_are_refused_at_once(extra: str, says: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ForumFileError) as caught:
        parse_forum(BASE + "\n" + extra + "\n", FILE)
    assert time.perf_counter() - started < 0.5  # tomllib alone took 23 s on the dotted key
    [error] = caught.value.errors
    assert error.startswith(f"{FILE}: too large or too deep to be a forum file: ")
    assert says in error


def test_too_many_keys_or_characters_are_refused() -> None:
    keys = "".join(f"k{n} = 1\n" for n in range(MAX_KEYS + 1))
    with pytest.raises(ForumFileError, match="keys; a forum file has at most"):
        parse_forum(BASE + keys, FILE)
    with pytest.raises(ForumFileError, match="characters; a forum file has at most"):
        parse_forum(BASE + "#" * MAX_CHARACTERS, FILE)


def test_dots_and_brackets_inside_strings_and_comments_are_not_counted() -> None:
    text = edit(
        'title = "Memorandum with TUT"',
        'title = "v1.2.3.4.5.6.7.8.9.10 [[[[[[[[[[ {{{{{{{{{{" # a.b.c.d.e.f.g.h.i.j [[[[[[[[[[',
    )
    assert parse_forum(text, FILE).events[0].title.get("en").startswith("v1.2.3")


def test_a_byte_order_mark_is_accepted() -> None:
    assert parse_forum("\ufeff" + BASE, FILE).name == "Forum of Rectors"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200c\u200d", " \u2060\ufeff ", "\u200e"])
def test_a_title_of_invisible_characters_is_empty(invisible: str) -> None:
    text = edit('title = "Memorandum with TUT"', f'title = "{invisible}"')
    assert_error(text, 'event "mou-tut"', "title", "must not be empty")
    text = edit('title = "Memorandum with TUT"', f'title = {{ en = "x", ru = "{invisible}" }}')
    assert_error(text, 'event "mou-tut"', "title", "text for 'ru' must not be empty")


# ------------------------------------------------------------------- through the bot


DOTTED_60KB = "a" + ".a" * 30_000 + " = 1\n"


async def test_import_of_a_hostile_file_gets_the_named_error_quickly(chat: Chat) -> None:
    before = await snapshot(chat)
    started = time.perf_counter()
    calls = await send_document(chat, ORGANISER_ID, (BASE + DOTTED_60KB).encode(), "forum.toml")
    assert time.perf_counter() - started < 1.0
    text = calls[-1].text
    assert "not imported" in text and "a dotted key has 30,001 parts" in text
    assert "Sorry" not in text
    assert await snapshot(chat) == before


async def test_move_to_the_end_of_time_is_a_clear_answer(chat: Chat) -> None:
    calls = await chat.send(ORGANISER_ID, "/move mou-tut 9999-12-31 23:59")
    assert calls[-1].text == "Give a date between the years 2000 and 2100."


def test_the_cli_import_of_a_deep_file_is_one_message(tmp_path: Path) -> None:
    forum = tmp_path / "forum.toml"
    forum.write_text(BASE + "deep = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    env = bot_env(DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    result = run_bot("import", str(forum), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "nested more than 8 levels deep" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert len((result.stdout + result.stderr).splitlines()) < 5
