"""Display text stays as written; folded keys see through spelling variants."""

from __future__ import annotations

import pytest

from bot.core.text.arabic import (
    fold,
    fold_word_with_article,
    is_arabic_letter,
    normalize_text,
    parse_count,
    strip_diacritics,
    strip_tatweel,
    to_arabic_digits,
    to_ascii_digits,
)

TITLE = "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"


# normalize_text: invisible and odd characters go, letters stay exactly.


def test_clean_title_is_unchanged() -> None:
    assert normalize_text(TITLE) == TITLE


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  بشار\u00a0\u00a0الأسد\t", "بشار الأسد"),
        ("دمشق\u2003\u2009حلب", "دمشق حلب"),
        ("سطر\nآخر\r\nثالث", "سطر آخر ثالث"),
        ("&quot;بلومبرغ&quot; &amp; وكالات", '"بلومبرغ" & وكالات'),
        ("&lt;script&gt;", "<script>"),
        ("\ufeffروسيا", "روسيا"),
        ("رو\u200bسيا", "روسيا"),
        ("رو\u200dسيا", "روسيا"),
        ("رو\u2060سيا\u00ad", "روسيا"),
        ("\u200fسوريا\u200e", "سوريا"),
        ("\u202bسوريا\u202c", "سوريا"),
        ("\u2067سوريا\u2069 \u061cدمشق", "سوريا دمشق"),
        ("Cafe\u0301", "Café"),
    ],
)
def test_invisible_characters_go_and_whitespace_collapses(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    "written",
    ["الأسد", "إنقاذ", "آمن", "مدرسة", "على", "مسؤول", "رئيس", "ـحلبـ", "مُعلنةً", "٦٤٩", "ممرًا"],
)
def test_letters_tatweel_and_diacritics_are_kept_for_display(written: str) -> None:
    assert normalize_text(written) == written


def test_zwnj_is_kept_between_letters_only() -> None:
    assert normalize_text("می\u200cخواهم") == "می\u200cخواهم"
    assert normalize_text("\u200cسلام\u200c") == "سلام"
    assert normalize_text("سلام \u200c دنیا") == "سلام دنیا"
    assert normalize_text("می\u200c\u200cخواهم") == "می\u200cخواهم"


def test_keep_newlines_collapses_spaces_per_line_and_blank_lines() -> None:
    raw = "  الفقرة  الأولى \r\n\r\n\n\t الفقرة\u00a0الثانية  \n \n"
    assert normalize_text(raw, keep_newlines=True) == "الفقرة الأولى\nالفقرة الثانية"


def test_keep_newlines_treats_unicode_line_separators_as_breaks() -> None:
    assert normalize_text("أ\u2028ب\u2029ج", keep_newlines=True) == "أ\nب\nج"


# fold: one key for the spellings outlets use interchangeably.


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الأسد", "الاسد"),
        ("إنقاذ", "انقاذ"),
        ("آمن", "امن"),
        ("ٱلله", "الله"),
        ("مدرسة", "مدرسه"),
        ("على", "علي"),
        ("مسؤول", "مسوول"),
        ("رئيس", "رييس"),
        ("ـحلبـ", "حلب"),
        ("مُعلنةً", "معلنه"),
        ("سوريا", "سـوريـا"),
        ("٢٠٢٤", "2024"),
        ("۲۰۲۴", "2024"),
        ("Syria", "SYRIA"),
        ("می\u200cخواهم", "میخواهم"),
        ("فارسی", "فارسي"),
        ("کتاب", "كتاب"),
        ("\ufefb", "لا"),  # presentation-form ligature from legacy encodings
        ("  بشار\u00a0الأسد ", "بشار الاسد"),
    ],
)
def test_spelling_variants_fold_alike(one: str, other: str) -> None:
    assert fold(one) == fold(other)


@pytest.mark.parametrize(("one", "other"), [("حلب", "حلت"), ("سوريا", "روسيا"), ("ب", "ت")])
def test_different_words_fold_differently(one: str, other: str) -> None:
    assert fold(one) != fold(other)


def test_fold_output() -> None:
    assert fold("بشار الأسد") == "بشار الاسد"
    assert fold("إنقاذ روسيا لبشار الأسد") == "انقاذ روسيا لبشار الاسد"


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("الأسد", "اسد"),
        ("أسد", "اسد"),
        ("القدس", "قدس"),
        ("والسياسة", "سياسه"),
        ("بالعراق", "عراق"),
        ("فالحكومة", "حكومه"),
        ("كالعادة", "عاده"),
        ("للحكومة", "حكومه"),
        ("لليمن", "يمن"),
        ("والد", "والد"),
        ("بالغ", "بالغ"),
        ("إلى", "الي"),
        ("دمشق", "دمشق"),
    ],
)
def test_article_is_dropped_for_tag_matching_but_short_words_survive(word: str, key: str) -> None:
    assert fold_word_with_article(word) == key


def test_tag_with_and_without_article_match() -> None:
    assert fold_word_with_article("الأسد") == fold_word_with_article("اسد")
    assert fold_word_with_article("اليمن") == fold_word_with_article("يمن")


# Digits and counters.


def test_digits_convert_both_ways() -> None:
    assert to_ascii_digits("٦٤٩ قراءة و۱۲۳") == "649 قراءة و123"
    assert to_arabic_digits("649 قراءة") == "٦٤٩ قراءة"
    assert to_arabic_digits(to_ascii_digits("٠١٢٣٤٥٦٧٨٩")) == "٠١٢٣٤٥٦٧٨٩"


@pytest.mark.parametrize(
    ("counter", "count"),
    [
        ("649 قراءة", 649),
        ("٦٤٩ قراءة", 649),
        ("۶۴۹ قراءة", 649),
        ("1,962 قراءة", 1962),
        ("١٬٩٦٢", 1962),
        ("1,234,567", 1234567),
        ("١٬٢٣٤٬٥٦٧ قراءة", 1234567),
        ("نيوز لاين | 1962 قراءة", 1962),
        ("649 قراءة  |", 649),
        ("0 قراءة", 0),
        ("3، 4", 3),
        ("12,34", 12),
    ],
)
def test_read_counters_parse_in_every_digit_script(counter: str, count: int) -> None:
    assert parse_count(counter) == count


@pytest.mark.parametrize("counter", ["", "قراءة", "لا توجد قراءات", "—"])
def test_counter_without_digits_gives_none(counter: str) -> None:
    assert parse_count(counter) is None


# Small helpers.


def test_strip_helpers_remove_only_their_marks() -> None:
    assert strip_tatweel("ســـلام") == "سلام"
    assert strip_diacritics("بِسْمِ اللَّهِ الرَّحْمَٰنِ") == "بسم الله الرحمن"
    assert strip_diacritics("ممرًا آمنًا") == "ممرا آمنا"
    assert strip_diacritics("الأسد") == "الأسد"


@pytest.mark.parametrize(("ch", "arabic"), [("ب", True), ("ی", True), ("ـ", False), ("َ", False)])
def test_is_arabic_letter(ch: str, arabic: bool) -> None:
    assert is_arabic_letter(ch) is arabic


@pytest.mark.parametrize("ch", ["a", "1", "٣", "،", "", "بب"])
def test_non_letters_are_not_arabic_letters(ch: str) -> None:
    assert not is_arabic_letter(ch)
