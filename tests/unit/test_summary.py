"""Sentence splitting, boilerplate and lead summaries on real Arabic news text."""

from __future__ import annotations

import pytest

from bot.core.text.summary import (
    ELLIPSIS,
    clean_paragraphs,
    cut_words,
    is_boilerplate,
    lead_summary,
    split_sentences,
)
from bot.core.text.tweet_length import weighted_length

# The seed article's body as the page shows it, furniture included.
SEED_PAGE_BODY = [
    "في تحول مفاجئ للأحداث في سوريا، ومع تقدم قوات المعارضة السورية نحو العاصمة دمشق بشكل "
    "سريع، كان مصير الرئيس بشار الأسد بين أيدي حليفه الاستراتيجي، روسيا، التي كانت قد قررت "
    "التدخل بشكل حاسم لإنقاذ حليفها التاريخي.",
    'ووفق ما أفادت به وكالة "بلومبرغ" استناداً إلى ثلاثة مصادر مطلعة، فإن روسيا اقترحت على '
    "الأسد مغادرة دمشق على الفور، وذلك بعدما أقنعته بأن صمود نظامه أصبح مستحيلاً وأنه سيخسر "
    "المعركة ضد المعارضة. وقد عرضت روسيا على الأسد وعائلته ممرًا آمنًا للخروج من البلاد، وهو "
    "ما تم تنفيذه بشكل عاجل.",
    "\u00a0",
    "المصدر: وكالات.",
    "المصدر",
    "مساحة نت ـ متابعات",
    "الوسوم",
    "Google Newsstand تابعوا آخر أخبارنا المحلية وآخر المستجدات السياسية والإقتصادية عبر "
    "Google news",
    "تابعنا على يوتيوب",
    "تابعنا على تويتر",
]
FIRST = SEED_PAGE_BODY[0]
SECOND, THIRD = split_sentences(SEED_PAGE_BODY[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "قتل ثلاثة. وأصيب خمسة؟ هذا ما حدث! لا تعليق؛ انتهى",
            ["قتل ثلاثة.", "وأصيب خمسة؟", "هذا ما حدث!", "لا تعليق؛", "انتهى"],
            id="arabic-terminators",
        ),
        pytest.param("What now? Nothing.", ["What now?", "Nothing."], id="latin-question"),
        pytest.param("قال ذلك… ثم صمت", ["قال ذلك…", "ثم صمت"], id="ellipsis-char-ends"),
        pytest.param("السطر الأول\nالسطر الثاني", ["السطر الأول", "السطر الثاني"], id="line-break"),
        pytest.param(
            "ارتفع التضخم إلى 3.5 في المئة. وقال البنك",
            ["ارتفع التضخم إلى 3.5 في المئة.", "وقال البنك"],
            id="decimal",
        ),
        pytest.param("بلغ ٣٫٥ مليون. انتهى", ["بلغ ٣٫٥ مليون.", "انتهى"], id="arabic-decimal"),
        pytest.param(
            "صدر القرار في 12.10.2024 عن المحكمة. ونفذ",
            ["صدر القرار في 12.10.2024 عن المحكمة.", "ونفذ"],
            id="date",
        ),
        pytest.param(
            "قال د. محمد إن م. علي وأ. سعيد حضروا. وانتهى",
            ["قال د. محمد إن م. علي وأ. سعيد حضروا.", "وانتهى"],
            id="arabic-abbreviations",
        ),
        pytest.param("قال د.محمد ذلك", ["قال د.محمد ذلك"], id="abbreviation-without-space"),
        pytest.param(
            "Dr. Smith met U.S. officials. They left.",
            ["Dr. Smith met U.S. officials.", "They left."],
            id="latin-abbreviations",
        ),
        pytest.param(
            "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث",
            ["تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"],
            id="double-dot-pause",
        ),
        pytest.param(
            "وزارة الخدمة المدنية تفاجئ الجميع...هؤلاء هم الموظفون",
            ["وزارة الخدمة المدنية تفاجئ الجميع...هؤلاء هم الموظفون"],
            id="glued-dots-pause",
        ),
        pytest.param(
            'قال "هذا خطأ. لا نقبله" ثم غادر. وعاد',
            ['قال "هذا خطأ. لا نقبله" ثم غادر.', "وعاد"],
            id="straight-quotes",
        ),
        pytest.param(
            "سأل «هل انتهى؟ لا» وغادر. ثم عاد",
            ["سأل «هل انتهى؟ لا» وغادر.", "ثم عاد"],
            id="guillemets",
        ),
        pytest.param(
            "قال “انتهى الأمر. نهائيا” للصحفيين. ثم",
            ["قال “انتهى الأمر. نهائيا” للصحفيين.", "ثم"],
            id="curly-quotes",
        ),
        pytest.param(
            'قال "هذا. وذلك',
            ['قال "هذا.', "وذلك"],
            id="unclosed-quote-protects-nothing",
        ),
        pytest.param("جملة أولى.وجملة ثانية", ["جملة أولى.", "وجملة ثانية"], id="missing-space"),
        pytest.param("زار الموقع example.com أمس", ["زار الموقع example.com أمس"], id="domain"),
        pytest.param(
            "1. البند الأول\n2. البند الثاني",
            ["1. البند الأول", "2. البند الثاني"],
            id="list-numbers",
        ),
        pytest.param(
            "تأسست عام 1990 م. وقال المدير",
            ["تأسست عام 1990 م.", "وقال المدير"],
            id="gregorian-era-ends",
        ),
        pytest.param("(انتهى.) ثم بدأ", ["(انتهى.)", "ثم بدأ"], id="closing-bracket-kept"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "paragraph",
    [
        "المصدر: وكالات.",
        "المصدر",
        "المصدر : سبأ",
        "مساحة نت ـ متابعات",
        "متابعات",
        "تابعنا على يوتيوب",
        "تابعونا على تيليجرام",
        "تابعوا آخر الأخبار عبر قناتنا",
        "اقرأ أيضا: الحوثيون يعلنون",
        "اقرأ أيضاً",
        "إقرأ ايضا",
        "© 2024 مساحة نت",
        "جميع الحقوق محفوظة لموقع مساحة نت",
        "Google Newsstand تابعوا آخر أخبارنا المحلية عبر Google news",
        "تابعونا على جوجل نيوز",
        "الوسوم",
    ],
)
def test_page_furniture_is_boilerplate(paragraph: str) -> None:
    assert is_boilerplate(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        FIRST,
        "المصدر الأمني قال إن الهجوم أسفر عن مقتل ثلاثة أشخاص في المدينة",
        "وقالت المصادر إن المفاوضات تابعت مسارها رغم الخلافات",
        "",
    ],
)
def test_news_text_is_not_boilerplate(paragraph: str) -> None:
    assert not is_boilerplate(paragraph)


def test_clean_paragraphs_keeps_the_story_and_drops_the_furniture() -> None:
    assert clean_paragraphs(SEED_PAGE_BODY) == SEED_PAGE_BODY[:2]


def test_read_also_marker_cuts_the_rest_of_its_paragraph() -> None:
    paragraphs = ["أعلنت الوزارة صرف الرواتب. اقرأ أيضاً: الحوثيون يعلنون مقتل قيادي"]
    assert clean_paragraphs(paragraphs) == ["أعلنت الوزارة صرف الرواتب."]


def test_clean_paragraphs_normalises_whitespace_and_invisible_marks() -> None:
    assert clean_paragraphs(["  خبر\u200f  عاجل\u00a0اليوم  "]) == ["خبر عاجل اليوم"]


def test_lead_takes_whole_sentences_that_fit() -> None:
    body = "\n\n".join(SEED_PAGE_BODY)
    budget = len(FIRST) + 1 + len(SECOND)
    assert lead_summary(body, budget) == f"{FIRST} {SECOND}"
    assert lead_summary(body, budget - 1) == FIRST
    assert lead_summary(body, 10_000) == f"{FIRST} {SECOND} {THIRD}"


def test_lead_cuts_the_first_sentence_on_a_word_with_an_ellipsis() -> None:
    summary = lead_summary(FIRST, 60)
    assert summary.endswith(ELLIPSIS)
    assert len(summary) <= 60
    assert FIRST.startswith(summary[:-1])
    assert FIRST[len(summary) - 1] == " "  # the cut falls between words


def test_lead_drops_a_comma_before_the_ellipsis() -> None:
    assert lead_summary("في تحول مفاجئ للأحداث في سوريا، ومع تقدم قوات", 33) == (
        "في تحول مفاجئ للأحداث في سوريا…"
    )


@pytest.mark.parametrize(
    ("text", "budget", "expected"),
    [
        pytest.param("كلمة طويلة جدا", 5, "كلمة…", id="one-word-and-ellipsis"),
        pytest.param("كلمة طويلة جدا", 4, "", id="nothing-fits"),
        pytest.param("كلمة", 0, "", id="zero-budget"),
        pytest.param("", 100, "", id="empty-body"),
        pytest.param("المصدر: وكالات.", 100, "", id="only-boilerplate"),
        pytest.param("ا" * 50 + " تكملة", 20, "", id="never-mid-word"),
    ],
)
def test_lead_edges(text: str, budget: int, expected: str) -> None:
    assert lead_summary(text, budget) == expected


def test_lead_measures_with_the_given_measure() -> None:
    def double(text: str) -> int:
        return 2 * len(text)

    summary = lead_summary(FIRST, 40, measure=double)
    assert double(summary) <= 40
    assert summary == "في تحول مفاجئ…"


def test_lead_counts_the_ellipsis_as_x_weighs_it() -> None:
    # "…" weighs 2 on X: the cut that fits 22 characters does not fit 22 weighted.
    assert lead_summary(FIRST, 22) == "في تحول مفاجئ للأحداث…"
    assert lead_summary(FIRST, 22, measure=weighted_length) == "في تحول مفاجئ…"


def test_cut_words_keeps_text_that_fits() -> None:
    assert cut_words("خبر قصير", 20) == "خبر قصير"
