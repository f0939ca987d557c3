"""Strangers are answered sparingly, so that a crowd of them cannot spend the messages a
second delegates need (issue 15, finding 4). Through the real dispatcher."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.conftest import Chat, FakeClock

DELEGATE = 101
STRANGERS = range(5000, 5020)


async def test_twenty_strangers_flooding_are_answered_a_few_times_and_delegates_always(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.register(DELEGATE, "tict-Hq7mX2vL9p")
    chat.session.clear()
    flood = [chat.send(s, f"hello {n}") for n in range(50) for s in STRANGERS]
    flood.insert(len(flood) // 2, chat.send(DELEGATE, "/schedule"))
    await asyncio.gather(*flood)
    answers = chat.session.sent("SendMessage")
    to_strangers = [c for c in answers if c.chat_id in STRANGERS]
    assert len(to_strangers) <= 50  # at most the overall burst, not 1,000
    assert all("invitation" in c.text for c in to_strangers)
    [schedule] = chat.session.sent("SendMessage", DELEGATE)
    assert "September" in schedule.text

    # Then, flooding on for a minute, each is answered once per 15 seconds at most.
    chat.session.clear()
    for _second in range(60):
        clock.advance(seconds=1)
        await asyncio.gather(*(chat.send(s, "again") for s in STRANGERS for _ in range(5)))
    answered = Counter(c.chat_id for c in chat.session.sent("SendMessage"))
    assert max(answered.values()) <= 5 + 60 // 15  # what was left of the burst, then 1/15 s
    assert sum(answered.values()) <= 20 * (5 + 60 // 15)  # not the 6,000 they sent


async def test_a_newcomer_who_mistypes_is_still_answered(chat: Chat) -> None:
    """/start, three wrong codes and the right one: every step gets its answer."""
    replies = [
        (await chat.send(777, text))[-1].text
        for text in ("/start", "/start tict-x", "/start tict-y", "/start tict-z")
    ]
    assert "invitation" in replies[0]
    assert all("not valid" in r for r in replies[1:])
    calls = await chat.send(777, "/start tict-Hq7mX2vL9p")
    assert "Too many wrong codes" in calls[-1].text


async def test_a_delegation_opening_its_links_at_once_is_answered(chat: Chat) -> None:
    """Joining counts against one's own allowance only: 120 people with the shared code
    in the same instant all get in, though strangers' other messages are capped."""
    people = range(8000, 8120)
    await asyncio.gather(*(chat.send(p, "/start dushanbe2023") for p in people))
    welcomed = {c.chat_id for c in chat.session.sent("SendMessage") if "Welcome" in c.text}
    assert welcomed == set(people)
