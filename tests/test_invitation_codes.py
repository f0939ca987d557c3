"""Invitation codes that resist guessing: the forum file refuses guessable personal codes,
and wrong codes are counted before they are evaluated, per account and across accounts."""

from __future__ import annotations

import pytest

from schedule.forum_file import ForumFileError, parse_forum
from schedule.invitations import MIN_CODE_LENGTH, code_weakness

FORUM = """\
[forum]
name = "Forum"
city = "Dushanbe"
timezone = "Asia/Dushanbe"

[[delegate]]
name = "Anvar Normamatovich Shernayev"
code = "{code}"
"""


def _errors(code: str) -> list[str]:
    with pytest.raises(ForumFileError) as caught:
        parse_forum(FORUM.format(code=code), "forum.toml")
    return caught.value.errors


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("x", "1 characters long; use at least 12"),
        ("tict-shernayev", "'shernayev' from the delegate's name"),
        ("ANVAR-2023-tict", "'anvar' from the delegate's name"),
        ("abababababab", "repeats a few characters"),
    ],
)
def test_the_forum_file_refuses_guessable_personal_codes(code: str, reason: str) -> None:
    [error] = _errors(code)
    assert error.startswith(f'forum.toml: delegate "{code}": field "code": guessable code')
    assert reason in error
    assert "secrets.token_urlsafe" in error  # says how to make a good one


@pytest.mark.parametrize("code", ["tict-Hq7mX2vL9p", "Zq4vN8rT2mW1", "k" + "Q7w2" * 15 + "xyz"])
def test_random_looking_codes_are_accepted(code: str) -> None:
    forum = parse_forum(FORUM.format(code=code), "forum.toml")
    assert [d.code for d in forum.delegates] == [code]


def test_the_rule_as_a_function() -> None:
    assert code_weakness("a" * (MIN_CODE_LENGTH - 1), "Someone") is not None
    assert code_weakness("Xc7-no-name-Q2", "Ann Lee") is None  # words under 3 letters ignored
    assert code_weakness("Xc7-lee-Q2pw", "Ann Lee-Smith") is not None
