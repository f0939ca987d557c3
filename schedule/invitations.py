"""Who an organiser invites: /invite's arguments as a rule without Telegram."""

from __future__ import annotations

import re
from collections.abc import Collection

MAX_NAME = 128


def parse_invite(args: str, group_ids: Collection[str]) -> tuple[str, str | None]:
    """ "/invite NAME [GROUP_ID]": the last word is the group when it names a known group.

    Raises ValueError when the name is empty or too long.
    """
    words = args.split()
    group = None
    if len(words) > 1 and words[-1] in group_ids:
        group = words.pop()
    name = " ".join(words)
    if not name or len(name) > MAX_NAME:
        raise ValueError("name")
    return name, group


# Personal codes are the only key to a delegate's programme, and a guesser has the bot's
# pace limits to get through: 12 characters that do not spell the delegate's name leave
# far more combinations than the limits let anyone try (README, "The forum file").
MIN_CODE_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 6
_NAME_WORD = re.compile(r"[^\W\d_]{3,}")


def code_weakness(code: str, name: str) -> str | None:
    """Why a personal code from the forum file is guessable, or None when it is not.

    Too short, made of a few characters repeated, or containing a word of the delegate's
    own name (``tict-shernayev`` for Anvar Shernayev): each of these is tried first by
    anyone who knows the delegation.
    """
    if len(code) < MIN_CODE_LENGTH:
        return f"it is {len(code)} characters long; use at least {MIN_CODE_LENGTH}"
    if len(set(code.casefold())) < MIN_DISTINCT_CHARACTERS:
        return f"it repeats a few characters; use at least {MIN_DISTINCT_CHARACTERS} different"
    folded = code.casefold()
    for word in _NAME_WORD.findall(name.casefold()):
        if word in folded:
            return f"it contains {word!r} from the delegate's name"
    return None
