"""The fallback chain: which text a reader gets when the forum file lacks their language."""

from __future__ import annotations

import pytest

from schedule.fallback import localized_text
from schedule.model import LANGUAGES, Localized

ALL = {
    "en": "Signing",
    "ru": "Подписание",
    "uz": "Imzolash",
    "uz-Cyrl": "Имзолаш маросими",
    "tg": "Имзо",
    "kk": "Қол қою",
    "ky": "Кол коюу",
    "tk": "Gol çekmek",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_own_language_first(lang: str) -> None:
    assert localized_text(ALL, lang) == ALL[lang]


def test_uzbek_cyrillic_transliterates_the_latin_text_before_russian() -> None:
    texts = {"en": "Signing", "ru": "Подписание", "uz": "Kelishuvni imzolash"}
    assert localized_text(texts, "uz-Cyrl") == "Келишувни имзолаш"


def test_uzbek_cyrillic_then_russian_then_english() -> None:
    assert localized_text({"en": "Signing", "ru": "Подписание"}, "uz-Cyrl") == "Подписание"
    assert localized_text({"en": "Signing", "tg": "Имзо"}, "uz-Cyrl") == "Signing"


@pytest.mark.parametrize("lang", ["tg", "kk", "ky", "tk"])
def test_central_asian_languages_fall_back_to_russian_then_english(lang: str) -> None:
    texts = {k: v for k, v in ALL.items() if k != lang}
    assert localized_text(texts, lang) == "Подписание"
    assert localized_text({"en": "Signing", "uz": "Imzolash"}, lang) == "Signing"


@pytest.mark.parametrize("lang", ["tg", "kk", "ky", "tk"])
def test_uzbek_latin_is_not_transliterated_for_other_readers(lang: str) -> None:
    assert localized_text({"uz": "Imzolash"}, lang) == "Imzolash"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_russian_and_uzbek_latin_fall_back_to_english(lang: str) -> None:
    assert localized_text({"en": "Signing", "kk": "Қол қою", "tg": "Имзо"}, lang) == "Signing"
    assert localized_text({"en": "Signing", "tg": "Имзо"}, lang) == "Signing"


def test_then_any_text_in_the_order_given() -> None:
    assert localized_text({"kk": "Қол қою", "tg": "Имзо"}, "en") == "Қол қою"
    assert localized_text({"tg": "", "ky": "Кол коюу"}, "tk") == "Кол коюу"
    assert localized_text({"uz": "Imzolash"}, "ru") == "Imzolash"
    assert localized_text({}, "kk") == ""


def test_no_language_reads_english() -> None:
    assert localized_text(ALL, None) == "Signing"


def test_an_empty_text_counts_as_missing() -> None:
    assert localized_text({"kk": "", "ru": "Подписание"}, "kk") == "Подписание"


def test_localized_get_follows_the_chain() -> None:
    title = Localized({"en": "Signing", "ru": "Подписание", "uz": "Oʻzaro anglashuv"})
    assert title.get("kk") == "Подписание"
    assert title.get("uz-Cyrl") == "Ўзаро англашув"
    assert title.get("uz") == "Oʻzaro anglashuv"
    assert Localized.plain("MoU").get("tk") == "MoU"
