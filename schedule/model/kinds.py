"""The forum's fixed vocabularies: languages, kinds, roles and statuses."""

from __future__ import annotations

from typing import Literal

# uz is Uzbek in the Latin alphabet, uz-Cyrl in the Cyrillic one.
LANGUAGES: tuple[str, ...] = ("en", "ru", "uz", "uz-Cyrl", "tg", "kk", "ky", "tk")


EVENT_KINDS: tuple[str, ...] = ("signing", "lecture", "visit", "plenary", "meeting", "other")


ROLES: tuple[str, ...] = ("head", "member", "protocol", "interpreter", "staff")


REMINDED_KINDS: frozenset[str] = frozenset({"signing", "lecture"})


AGREEMENT_KINDS: tuple[str, ...] = ("memorandum", "agreement", "contract", "protocol", "other")


AGREEMENT_STATUSES: tuple[str, ...] = ("planned", "ready", "signed", "postponed", "cancelled")


TRANSPORT_KINDS: tuple[str, ...] = ("bus", "car", "minibus", "walk", "other")


CONTACT_ROLES: tuple[str, ...] = (
    "protocol", "interpreter", "transport", "security", "medical", "organiser", "embassy", "other",
)  # fmt: skip


EventStatus = Literal["scheduled", "cancelled", "removed"]


AgreementStatus = Literal["planned", "ready", "signed", "postponed", "cancelled"]
