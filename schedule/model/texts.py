"""A text given in one or more languages, read through the fallback chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from schedule.fallback import localized_text


@dataclass(frozen=True, slots=True)
class Localized:
    """A text given in one or more languages; a missing one falls back as
    ``schedule.fallback.localized_text`` says."""

    texts: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    @classmethod
    def plain(cls, text: str) -> Localized:
        return cls({"en": text})

    def get(self, lang: str | None) -> str:
        return localized_text(self.texts, lang)

    def as_dict(self) -> dict[str, str]:
        return dict(self.texts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and dict(self.texts) == dict(other.texts)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.texts.items())))
