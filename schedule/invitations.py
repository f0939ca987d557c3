"""Who an organiser invites: /invite's arguments as a rule without Telegram."""

from __future__ import annotations

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
