"""The agreements a delegation signs, and the state the bot keeps of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schedule.model.kinds import AgreementStatus
from schedule.model.texts import Localized


@dataclass(frozen=True, slots=True)
class Agreement:
    """A document the delegation signs: what the forum file says of it, and the status.

    Parsed from a file, ``status`` is the file's; stored, it is the current one (an
    organiser may have set it in the bot), and ``signed_by``/``signed_at`` say who marked it
    signed (a Telegram id) and when (aware UTC).
    """

    id: str
    kind: str
    title: Localized
    partner: str
    partner_country: str | None = None  # ISO 3166-1 alpha-2
    event: str | None = None  # the signing event's id
    signatories: tuple[str, ...] = ()  # delegate codes: who signs for the delegation
    partner_signatories: tuple[str, ...] = ()
    scope: tuple[Localized, ...] = ()  # the items of cooperation
    copies: int | None = None  # copies to bring to the signing
    status: AgreementStatus = "planned"
    signed_by: int | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AgreementState:
    """An agreement's stored status: the current one, the file's at the last import, and
    who marked it signed (an organiser's Telegram id) and when."""

    status: AgreementStatus
    file_status: AgreementStatus
    signed_by: int | None = None
    signed_at: datetime | None = None

    def reimported(self, file_status: AgreementStatus) -> AgreementState:
        """A status set in the bot is kept across re-imports unless the file's own status
        for the agreement changed; then the file's new status wins. The record of a
        signature is kept only while the agreement stays signed."""
        if file_status == self.file_status:
            return self
        if self.status == "signed" and file_status == "signed":
            return AgreementState("signed", file_status, self.signed_by, self.signed_at)
        return AgreementState(file_status, file_status)

    def changed_to(self, status: AgreementStatus, organiser: int, now: datetime) -> AgreementState:
        """An organiser set ``status`` (see ``schedule.agreements.status_refusal``): signing
        records who and when; leaving "signed" forgets it."""
        if status == "signed":
            return AgreementState(status, self.file_status, organiser, now)
        return AgreementState(status, self.file_status)


@dataclass(frozen=True, slots=True)
class AgreementPhoto:
    """A photo of a signing, kept as Telegram's ``file_id`` (the bytes stay with Telegram)."""

    agreement_id: str
    file_id: str
    file_unique_id: str
    added_by: int
    added_at: datetime
