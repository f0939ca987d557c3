"""The rules of the agreements, without Telegram or a database: who sees which, how a status
may change, what a re-import keeps, and the photos."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from schedule.agreements import (
    MAX_PHOTOS,
    allowed_statuses,
    needs_confirmation,
    photo_refusal,
    sees_agreement,
    signed_at_event,
    signed_on,
    status_refusal,
    visible_agreements,
)
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import AGREEMENT_STATUSES, Agreement, AgreementState, Event, Localized
from schedule.rules import Viewer

TZ = ZoneInfo("Asia/Dushanbe")
SIGNING = datetime(2023, 9, 14, 9, 40, tzinfo=UTC)
LATE = datetime(2023, 9, 14, 19, 30, tzinfo=UTC)  # 00:30 on the 15th in Dushanbe
FORUM = load_forum_file(SAMPLE_FORUM_PATH)
EVENTS = {e.id: e for e in FORUM.events}
TICT = Viewer(group="tict")
MINISTRY = Viewer(group=None)  # the head of delegation has no group


def agreement(**changes: object) -> Agreement:
    base = Agreement(id="a", kind="memorandum", title=Localized.plain("A"), partner="P")
    return replace(base, **changes)


# ---------------------------------------------------------------- who sees which


def test_a_delegate_sees_the_agreements_of_their_agenda() -> None:
    seen = visible_agreements(FORUM.agreements, EVENTS, TICT, "r1-Kp8sW3nQz6")
    assert [a.id for a in seen] == ["mou-tut", "agreement-ips", "agreement-sughd", "mou-osh"]


def test_outside_the_audience_only_a_signatory_sees_it() -> None:
    assert visible_agreements(FORUM.agreements, EVENTS, MINISTRY, "head-Zq4vN8rT2m") == []
    signs = agreement(event="mou-tut", signatories=("head-Zq4vN8rT2m",))
    assert sees_agreement(signs, EVENTS["mou-tut"], MINISTRY, "head-Zq4vN8rT2m")
    assert not sees_agreement(signs, EVENTS["mou-tut"], MINISTRY, None)


def test_organisers_see_every_agreement() -> None:
    orphan = agreement(event=None)
    assert sees_agreement(orphan, None, Viewer(organiser=True), None)
    assert not sees_agreement(orphan, None, TICT, "tict-Hq7mX2vL9p")


def test_a_cancelled_signing_leaves_the_agenda_and_takes_its_agreement_along() -> None:
    cancelled = replace(EVENTS["mou-tut"], status="cancelled")
    events: dict[str, Event] = {**EVENTS, "mou-tut": cancelled}
    a = agreement(event="mou-tut", signatories=("tict-Hq7mX2vL9p",))
    assert [x.id for x in visible_agreements([a], events, TICT, "r1-Kp8sW3nQz6")] == []
    assert visible_agreements([a], events, TICT, "tict-Hq7mX2vL9p") == [a]  # the signatory


def test_an_event_card_finds_its_agreements() -> None:
    assert [a.id for a in signed_at_event(FORUM.agreements, "mou-osh")] == ["mou-osh"]
    assert signed_at_event(FORUM.agreements, "opening-plenary") == []


# ---------------------------------------------------------------- status changes


def test_the_buttons_offered_from_each_status() -> None:
    assert allowed_statuses("planned") == ("ready", "signed", "postponed", "cancelled")
    assert allowed_statuses("ready") == ("signed", "postponed", "cancelled")
    assert allowed_statuses("postponed") == ("ready", "signed", "cancelled")
    assert allowed_statuses("cancelled") == ("ready", "postponed")
    assert allowed_statuses("signed") == ("ready",)
    assert allowed_statuses("bogus") == ()


@pytest.mark.parametrize("current", AGREEMENT_STATUSES)
@pytest.mark.parametrize("new", [*AGREEMENT_STATUSES, "lost"])
def test_a_refusal_exactly_where_no_button_is_offered(current: str, new: str) -> None:
    refusal = status_refusal(current, new)
    if new not in ("ready", "signed", "postponed", "cancelled"):
        assert refusal == "unknown"  # "planned" belongs to the file
    elif new == current:
        assert refusal == "same"
    elif new in allowed_statuses(current):
        assert refusal is None
    else:
        assert refusal == "not_allowed"


def test_cancelled_is_reinstated_before_it_is_signed() -> None:
    assert status_refusal("cancelled", "signed") == "not_allowed"
    assert status_refusal("signed", "postponed") == "not_allowed"


def test_signing_cancelling_and_unsigning_ask_for_confirmation() -> None:
    assert needs_confirmation("planned", "signed") and needs_confirmation("ready", "cancelled")
    assert needs_confirmation("signed", "ready")
    assert not needs_confirmation("planned", "ready")
    assert not needs_confirmation("ready", "postponed")


def test_marking_signed_records_who_and_when_and_leaving_signed_forgets_it() -> None:
    state = AgreementState("ready", "planned")
    signed = state.changed_to("signed", 900, SIGNING)
    assert signed == AgreementState("signed", "planned", 900, SIGNING)
    assert signed.changed_to("ready", 901, LATE) == AgreementState("ready", "planned")


# ---------------------------------------------------------------- what a re-import keeps


def test_a_status_set_in_the_bot_survives_a_reimport_with_the_same_file_status() -> None:
    state = AgreementState("signed", "planned", 900, SIGNING)
    assert state.reimported("planned") is state


def test_the_files_new_status_wins_and_drops_the_signature() -> None:
    state = AgreementState("signed", "planned", 900, SIGNING)
    assert state.reimported("postponed") == AgreementState("postponed", "postponed")
    ready = AgreementState("ready", "planned")
    assert ready.reimported("cancelled") == AgreementState("cancelled", "cancelled")


def test_the_file_confirming_a_signature_keeps_who_signed() -> None:
    state = AgreementState("signed", "planned", 900, SIGNING)
    assert state.reimported("signed") == AgreementState("signed", "signed", 900, SIGNING)
    assert AgreementState("ready", "planned").reimported("signed") == AgreementState(
        "signed", "signed"
    )


# ---------------------------------------------------------------- dates and photos


def test_the_date_signed_is_in_forum_time() -> None:
    marked_late = agreement(status="signed", signed_at=LATE)
    assert signed_on(marked_late, EVENTS["mou-tut"], TZ) == date(2023, 9, 15)
    by_file = agreement(status="signed")
    assert signed_on(by_file, EVENTS["mou-osh"], TZ) == date(2023, 9, 15)
    assert signed_on(by_file, None, TZ) is None
    assert signed_on(agreement(status="ready"), EVENTS["mou-tut"], TZ) is None


def test_photos_once_each_and_at_most_ten() -> None:
    assert photo_refusal("u1", []) is None
    assert photo_refusal("u1", ["u1"]) == "duplicate"
    full = [f"u{n}" for n in range(MAX_PHOTOS)]
    assert MAX_PHOTOS == 10 and photo_refusal("new", full) == "full"
    assert photo_refusal("new", full[:-1]) is None
