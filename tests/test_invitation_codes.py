"""Invitation codes that resist guessing: the forum file refuses guessable personal codes,
and wrong codes are counted before they are evaluated, per account and across accounts."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

import pytest

from bot.app import App
from db import delegates
from schedule.forum_file import ForumFileError, parse_forum
from schedule.invitations import MIN_CODE_LENGTH, code_weakness
from schedule.services.joining import (
    FREE_ATTEMPTS,
    GUESS_WINDOW,
    WRONG_CODES_PER_WINDOW,
    JoinOutcome,
    join,
)
from tests.conftest import ORGANISER_ID, Chat, FakeClock

SHERNAYEV = 101
SHERNAYEV_CODE = "tict-Hq7mX2vL9p"
GUESSER = 666

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


# ------------------------------------------------------------------- counting wrong codes


async def _join(app: App, telegram_id: int, code: str, now: datetime) -> JoinOutcome:
    return await join(
        app.db,
        code=code,
        telegram_id=telegram_id,
        telegram_name="Guesser",
        delegation_code=app.settings.delegation_code,
        language="en",
        now=now,
    )


async def test_a_burst_of_guesses_from_one_account_is_slowed_like_a_sequence(
    app: App, clock: FakeClock
) -> None:
    """100 codes sent at once, the right one last: only the free attempts are looked at."""
    codes = [f"GUESS-{n}" for n in range(99)] + [SHERNAYEV_CODE]
    outcomes = await asyncio.gather(*(_join(app, GUESSER, c, clock()) for c in codes))
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {"refused": FREE_ATTEMPTS, "slowed": 100 - FREE_ATTEMPTS}
    assert outcomes[-1].status == "slowed"
    assert await delegates.by_telegram_id(app.db, GUESSER) is None


async def test_the_same_burst_through_the_dispatcher_registers_nobody(
    chat: Chat, clock: FakeClock
) -> None:
    codes = [f"GUESS-{n}" for n in range(99)] + [SHERNAYEV_CODE]
    await asyncio.gather(*(chat.send(GUESSER, f"/start {c}") for c in codes))
    assert await delegates.by_telegram_id(chat.app.db, GUESSER) is None
    replies = chat.session.sent("SendMessage", GUESSER)
    # A stranger is answered a few times, then once per while; of those, the free attempts
    # are looked at and the rest wait.
    assert len(replies) == 5
    assert sum("not valid" in c.text for c in replies) == FREE_ATTEMPTS
    assert sum("Too many wrong codes" in c.text for c in replies) == 5 - FREE_ATTEMPTS


async def test_many_accounts_share_one_limit_of_wrong_codes(app: App, clock: FakeClock) -> None:
    """40 accounts with 3 guesses each: only WRONG_CODES_PER_WINDOW are looked at in a
    window, and the right code of a newcomer waits until the window is over."""
    outcomes = [
        await _join(app, 7000 + account, f"GUESS-{account}-{n}", clock())
        for account in range(40)
        for n in range(3)
    ]
    assert sum(o.status == "refused" for o in outcomes) == WRONG_CODES_PER_WINDOW
    waiting = await _join(app, GUESSER, SHERNAYEV_CODE, clock())
    assert waiting.status == "slowed" and waiting.retry_at is not None
    assert waiting.retry_at <= clock() + GUESS_WINDOW
    clock.now = waiting.retry_at
    assert (await _join(app, GUESSER, SHERNAYEV_CODE, clock())).status == "joined"


async def test_right_codes_do_not_spend_the_shared_limit(app: App, clock: FakeClock) -> None:
    """A delegation registering at a briefing: 30 right codes in a minute, then typos."""
    for n in range(30):
        assert (await _join(app, 8000 + n, "dushanbe2023", clock())).status == "joined"
    typos = [await _join(app, 9000 + n, "dushanbe2O23", clock()) for n in range(5)]
    assert {o.status for o in typos} == {"refused"}


async def test_a_forwarded_invitation_alerts_the_organisers_once_per_while(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.register(SHERNAYEV, SHERNAYEV_CODE)
    chat.session.clear()
    for n in range(30):
        await chat.register(7000 + n, SHERNAYEV_CODE, first_name=f"Visitor{n}")
        clock.advance(seconds=4)  # 15 a minute: under the shared limit of wrong codes
    refusals = [c for c in chat.session.sent("SendMessage") if "already been used" in c.text]
    alerts = chat.session.sent("SendMessage", ORGANISER_ID)
    assert len(refusals) == 30
    assert len(alerts) == 1 and "Visitor0" in alerts[0].text
    clock.advance(minutes=15)
    calls = await chat.register(7100, SHERNAYEV_CODE, first_name="Late")
    [alert] = [c for c in calls if c.chat_id == ORGANISER_ID]
    assert "Late" in alert.text and "tried 29 more times since the last alert" in alert.text
