"""The three classes of outgoing messages, for the one outbound budget (issue 10).

Whoever sends a message says which class it belongs to by running the send inside
:func:`sending_as`; a request sent outside any such block is an answer to the update
being handled, the class that never waits behind the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum


class Priority(IntEnum):
    """Lower goes first."""

    ANSWER = 0  # a reply to a person's own action: a command, a button, a document
    URGENT = 1  # reminders, change notices, departure reminders, alerts to protocol staff
    BULK = 2  # broadcasts, morning briefings, follow-ups of the unconfirmed


current_priority: ContextVar[Priority] = ContextVar("current_priority", default=Priority.ANSWER)


@contextmanager
def sending_as(priority: Priority) -> Iterator[None]:
    """Requests made inside this block (and tasks started from it) carry ``priority``."""
    token = current_priority.set(priority)
    try:
        yield
    finally:
        current_priority.reset(token)
