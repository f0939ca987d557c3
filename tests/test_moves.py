"""/move and /invite arguments as pure rules: forum time, duration kept, clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedule.invitations import parse_invite
from schedule.model import Event, Localized
from schedule.moves import MoveError, parse_move

DUSHANBE = ZoneInfo("Asia/Dushanbe")
SIGNING = Event(
    id="mou-tut",
    kind="signing",
    title=Localized.plain("Signing"),
    starts=datetime(2023, 9, 14, 9, 30, tzinfo=UTC),  # 14:30 local
    ends=datetime(2023, 9, 14, 10, 0, tzinfo=UTC),
)
MORNING = datetime(2023, 9, 14, 6, 0, tzinfo=UTC)


def test_same_day_keeps_the_duration() -> None:
    starts, ends = parse_move("16:15", SIGNING, DUSHANBE, MORNING)
    assert starts == datetime(2023, 9, 14, 11, 15, tzinfo=UTC)
    assert ends - starts == timedelta(minutes=30)


def test_another_day() -> None:
    starts, _ = parse_move("2023-09-15 09:00", SIGNING, DUSHANBE, MORNING)
    assert starts == datetime(2023, 9, 15, 4, 0, tzinfo=UTC)


def test_local_day_not_utc_day() -> None:
    late = Event(
        "late",
        "other",
        Localized.plain("Dinner"),
        datetime(2023, 9, 14, 19, 30, tzinfo=UTC),  # 00:30 on the 15th, local
        datetime(2023, 9, 14, 20, 30, tzinfo=UTC),
    )
    starts, _ = parse_move("01:00", late, DUSHANBE, MORNING)
    assert starts == datetime(2023, 9, 14, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("", "format"), ("9", "format"), ("9:5", "format"), ("a b c", "format"),
        ("24:00", "time"), ("12:60", "time"), ("2023-02-29 10:00", "date"),
        ("14-09-2023 10:00", "format"), ("14:30", "same"), ("10:00", "past"),
    ],
)  # fmt: skip
def test_refusals(args: str, problem: str) -> None:
    with pytest.raises(MoveError) as caught:
        parse_move(args, SIGNING, DUSHANBE, datetime(2023, 9, 14, 6, 0, tzinfo=UTC))
    assert caught.value.problem == problem


def test_cancelled_event_cannot_move() -> None:
    cancelled = Event(
        **{**{f: getattr(SIGNING, f) for f in SIGNING.__slots__}, "status": "cancelled"}
    )
    with pytest.raises(MoveError) as caught:
        parse_move("16:00", cancelled, DUSHANBE)
    assert caught.value.problem == "inactive"


def test_invite_arguments() -> None:
    groups = {"tict", "sughd"}
    assert parse_invite("Dilshod Karimov tict", groups) == ("Dilshod Karimov", "tict")
    assert parse_invite("Dilshod Karimov", groups) == ("Dilshod Karimov", None)
    assert parse_invite("tict", groups) == ("tict", None)  # a lone word is a name
    with pytest.raises(ValueError):
        parse_invite("   ", groups)
    with pytest.raises(ValueError):
        parse_invite("x" * 200, groups)
