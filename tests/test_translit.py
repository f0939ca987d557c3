"""Uzbek Latin to Cyrillic: each rule of the correspondence and each exception, on words."""

from __future__ import annotations

import pytest

from schedule.translit import to_cyrillic

LETTERS = [
    ("salom", "салом"),
    ("qalam", "қалам"),
    ("xalq", "халқ"),
    ("hurmat", "ҳурмат"),
    ("jurnal", "журнал"),
    ("vazir", "вазир"),
    ("fan", "фан"),
    ("zamon", "замон"),
    ("bilan", "билан"),
    ("rektor", "ректор"),
    ("kitob", "китоб"),
    ("dastur", "дастур"),
]
APOSTROPHE_LETTERS = [
    ("o\u02bbzbek", "ўзбек"),  # ʻ, the official sign
    ("o'zbek", "ўзбек"),
    ("o\u2018zbek", "ўзбек"),
    ("o`zbek", "ўзбек"),
    ("o\u2019zbek", "ўзбек"),
    ("o\u02bczbek", "ўзбек"),  # the tutuq sign mistyped for ʻ
    ("g\u02bbalaba", "ғалаба"),
    ("g'alaba", "ғалаба"),
    ("g\u2018alaba", "ғалаба"),
    ("g`alaba", "ғалаба"),
    ("bog\u02bb", "боғ"),  # at the end of a word
    ("to\u02bbg\u02bbrisida", "тўғрисида"),
    ("O\u02bbzbekiston", "Ўзбекистон"),
    ("G\u02bbafur", "Ғафур"),
    ("O\u02bbZBEKISTON", "ЎЗБЕКИСТОН"),
]
DIGRAPHS = [
    ("shahar", "шаҳар"),
    ("Shahar", "Шаҳар"),
    ("SHAHAR", "ШАҲАР"),
    ("choy", "чой"),
    ("Chorshanba", "Чоршанба"),
    ("CHORSHANBA", "ЧОРШАНБА"),
    ("ming", "минг"),
    ("Ngan", "Нган"),
    ("TONG", "ТОНГ"),
    ("Is\u02bchoq", "Исҳоқ"),  # sʼh is s + h, not sh
    ("IS\u02bcHOQ", "ИСҲОҚ"),
    ("Mus'haf", "Мусҳаф"),
]
TS = [
    ("delegatsiya", "делегация"),
    ("innovatsion", "инновацион"),
    ("Federatsiya", "Федерация"),
    ("KONSTITUTSIYA", "КОНСТИТУЦИЯ"),
    ("ofitser", "офицер"),
    ("protsess", "процесс"),
    ("vitse-prezident", "вице-президент"),
    ("Tsiolkovskiy", "Циолковский"),
    ("ketsa", "кетса"),  # verb forms keep t + s
    ("ketsin", "кетсин"),
    ("aytsa", "айтса"),
    ("o\u02bbtsa", "ўтса"),
]
E = [
    ("ekin", "экин"),
    ("Erkin", "Эркин"),
    ("ERKIN", "ЭРКИН"),
    ("e\u02bclon", "эълон"),
    ("aeroport", "аэропорт"),
    ("poeziya", "поэзия"),
    ("kelishuv", "келишув"),
    ("memorandum", "меморандум"),
    ("she\u02bcr", "шеър"),
    ("1-etaj", "1-этаж"),
]
Y_VOWELS = [
    ("yer", "ер"),
    ("Yevropa", "Европа"),
    ("yoshlar", "ёшлар"),
    ("Yoshlar", "Ёшлар"),
    ("dunyo", "дунё"),
    ("yurt", "юрт"),
    ("Yunus", "Юнус"),
    ("yaxshi", "яхши"),
    ("YAXSHI", "ЯХШИ"),
    ("iyul", "июл"),
    ("qiyin", "қийин"),
    ("yalpi", "ялпи"),
    ("yo\u02bbl", "йўл"),  # y + oʻ, not yo + ʻ
    ("Yo\u02bbldosh", "Йўлдош"),
    ("YO\u02bbL", "ЙЎЛ"),
    ("yo'q", "йўқ"),
]
TUTUQ = [
    ("ma\u02bcruza", "маъруза"),
    ("Ma\u02bcruza", "Маъруза"),
    ("ta\u02bclim", "таълим"),
    ("san\u02bcat", "санъат"),
    ("ma'no", "маъно"),
    ("mas\u2019ul", "масъул"),
    ("TA\u02bcLIM", "ТАЪЛИМ"),
]
MONTHS = [
    ("sentabr", "сентябр"),
    ("14-sentabrda", "14-сентябрда"),
    ("Oktabr", "Октябр"),
    ("yanvar", "январ"),
    ("iyun", "июн"),
]
LEFT_AS_WRITTEN = [
    ("Microsoft", "Microsoft"),
    ("Wi-Fi", "Wi-Fi"),
    ("https://tkti.uz/uz/news", "https://tkti.uz/uz/news"),
    ("info@tkti.uz", "info@tkti.uz"),
    ("2023-2024", "2023-2024"),
    ("Тошкент", "Тошкент"),
]


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    LETTERS + APOSTROPHE_LETTERS + DIGRAPHS + TS + E + Y_VOWELS + TUTUQ + MONTHS + LEFT_AS_WRITTEN,
)
def test_word(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_sentences_of_the_sample_forum() -> None:
    assert (
        to_cyrillic("Rektorlar forumining ochilishi: yalpi majlis")
        == "Ректорлар форумининг очилиши: ялпи мажлис"
    )
    assert to_cyrillic(
        "Maʼruza: «Taʼlimda xalqaro innovatsion yondashuvlar — qoʻshma va dual taʼlimni "
        "rivojlantirish istiqbollari»"
    ) == (
        "Маъруза: «Таълимда халқаро инновацион ёндашувлар — қўшма ва дуал таълимни "
        "ривожлантириш истиқболлари»"
    )
    assert (
        to_cyrillic("«Sugʻd» EIZ (Xoʻjand) korxonalarida, TKTIda.")
        == "«Суғд» ЭИЗ (Хўжанд) корхоналарида, ТКТИда."
    )


def test_quotes_around_a_word_stay_quotes() -> None:
    assert to_cyrillic("'Salom', dedi u.") == "'Салом', деди у."
    assert to_cyrillic("`kitob`") == "`китоб`"


def test_nothing_latin_is_left_of_an_uzbek_text() -> None:
    text = (
        "Tojikiston texnologiya universiteti bilan oʻzaro anglashuv memorandumini imzolash; "
        "Oziq-ovqat va kimyo texnologiyalari sohasida muhandislar tayyorlash. Yer, ekin, "
        "choʻl, gʻoya, sheʼr, yoʻlga chiqish."
    )
    converted = to_cyrillic(text)
    assert not any("a" <= ch.lower() <= "z" for ch in converted), converted
    assert not any(ch in "ʻʼ'‘’`" for ch in converted), converted
