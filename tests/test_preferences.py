"""The /reminders keyboard as a rule: what a press changes, and what it refuses."""

from __future__ import annotations

import pytest

from schedule.preferences import PreferenceError, changed_preferences
from tests.test_reminder_rules import delegate

CONFIGURED = (60.0, 15.0)


def test_on_and_off_keep_the_chosen_times() -> None:
    person = delegate(1, reminder_offsets=(15.0,))
    assert changed_preferences(person, CONFIGURED, "off") == (False, (15.0,))
    assert changed_preferences(person, CONFIGURED, "on") == (True, (15.0,))


def test_toggling_a_time_drops_it_and_adding_it_back_means_all() -> None:
    person = delegate(1)
    assert changed_preferences(person, CONFIGURED, "at", "60") == (True, (15.0,))
    person = delegate(1, reminder_offsets=(15.0,))
    assert changed_preferences(person, CONFIGURED, "at", "60") == (True, None)


@pytest.mark.parametrize(
    ("kwargs", "action", "offset", "problem"),
    [
        ({"reminder_offsets": (15.0,)}, "at", "15", "last"),
        ({}, "at", "30", "invalid"),  # not a configured time (a forged or stale button)
        ({}, "at", "soon", "invalid"),
        ({"reminders_on": False}, "at", "60", "invalid"),
        ({}, "sideways", "", "invalid"),
    ],
)
def test_presses_that_do_not_apply_are_refused(
    kwargs: dict[str, object], action: str, offset: str, problem: str
) -> None:
    with pytest.raises(PreferenceError) as caught:
        changed_preferences(delegate(1, **kwargs), CONFIGURED, action, offset)
    assert caught.value.problem == problem
