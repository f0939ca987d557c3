"""A delegate's reminder preferences: on or off, and which configured offsets they keep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from schedule.model import Delegate
from schedule.reminders import delegate_offsets

PreferenceProblem = Literal["invalid", "last"]


class PreferenceError(ValueError):
    """``invalid``: a button that does not fit the settings; ``last``: the only time left."""

    def __init__(self, problem: PreferenceProblem) -> None:
        super().__init__(problem)
        self.problem: PreferenceProblem = problem


def changed_preferences(
    delegate: Delegate, configured: Sequence[float], action: str, offset: str = ""
) -> tuple[bool, tuple[float, ...] | None]:
    """The delegate's (reminders on, chosen offsets or None for all) after pressing
    ``action`` ("on", "off", or "at" toggling ``offset``); raises :class:`PreferenceError`."""
    if action in ("on", "off"):
        return action == "on", delegate.reminder_offsets
    if action != "at" or not delegate.reminders_on:
        raise PreferenceError("invalid")
    try:
        toggled = float(offset)
    except ValueError:
        raise PreferenceError("invalid") from None
    if toggled not in configured:
        raise PreferenceError("invalid")
    chosen = set(delegate_offsets(delegate, configured)) ^ {toggled}
    if not chosen:
        raise PreferenceError("last")
    offsets = None if chosen == set(configured) else tuple(sorted(chosen, reverse=True))
    return True, offsets
