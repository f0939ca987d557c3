"""Which text a reader gets when the forum file has none in their language."""

from __future__ import annotations

from collections.abc import Mapping

from schedule.translit import to_cyrillic

# After the reader's own language, in this order. Central Asian readers read Russian more
# readily than English; an Uzbek reader of Cyrillic gets the Latin text transliterated.
_NEXT: dict[str, tuple[str, ...]] = {
    "uz-Cyrl": ("uz", "ru", "en"),
    "tg": ("ru", "en"),
    "kk": ("ru", "en"),
    "ky": ("ru", "en"),
    "tk": ("ru", "en"),
}


def localized_text(texts: Mapping[str, str], lang: str | None) -> str:
    """The text for a reader of ``lang``: their own; else, for uz-Cyrl the Uzbek Latin text
    transliterated, then Russian, then English; for tg, kk, ky and tk Russian, then English;
    for the others English; then whichever text there is ("" when there is none)."""
    chain = (lang, *_NEXT.get(lang, ("en",))) if lang else ("en",)
    for code in chain:
        text = texts.get(code)
        if text:
            return to_cyrillic(text) if lang == "uz-Cyrl" and code == "uz" else text
    return next((t for t in texts.values() if t), "")
