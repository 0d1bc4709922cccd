"""Specification of `bot.sources.pages.extract_article` on the site's article pages."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.adapters.sources.page_selectors import validate_selectors
from bot.adapters.sources.page_text import clean_text, is_furniture
from bot.adapters.sources.pages import extract_article
from bot.core.errors import ConfigError, ParseError
from bot.core.model import ArticleDraft, MostReadEntry, SocialLinks

FIXTURES = Path(__file__).parent.parent / "fixtures"
URL = "https://marsad.example/mobile/article/12345"
HEADLINE = "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"
TAGS = ("احمد الشرع", "بشار الأسد", "حلب", "دمشق", "روسيا", "سوريا")
FIRST_PARAGRAPH_START = "في تحول مفاجئ للأحداث في سوريا"
LAST_PARAGRAPH_END = "وفي مقدمتها قاعدتيها العسكريتين في سوريا."
MARKUP = re.compile(r"<[A-Za-z!/?]")


def seed_html() -> str:
    return (FIXTURES / "seed_page.html").read_text(encoding="utf-8")


def replace_once(page: str, old: str, new: str) -> str:
    assert page.count(old) == 1, f"fixture changed: {old!r} is not unique"
    return page.replace(old, new)


def without_block(page: str, start_marker: str) -> str:
    """Remove the <div ...> block whose opening tag contains `start_marker`."""
    start = page.index(start_marker)
    start = page.rindex("<div", 0, start)
    end = page.index("</div>", start) + len("</div>")
    return page[:start] + page[end:]


def all_texts(draft: ArticleDraft) -> list[str]:
    texts = [draft.title, draft.section or "", draft.outlet or "", draft.source_credit or ""]
    texts.extend([*draft.body, *draft.tags])
    for entry in draft.most_read:
        texts.extend([entry.title, entry.outlet or ""])
    return texts


# -- the seed page ---------------------------------------------------------


def test_seed_page_headline_is_the_h1_without_the_site_name() -> None:
    assert extract_article(seed_html(), URL).title == HEADLINE


def test_seed_page_read_counter_is_the_articles_not_a_most_read_row() -> None:
    assert extract_article(seed_html(), URL).reads == 649


def test_seed_page_section_comes_from_the_details_header() -> None:
    assert extract_article(seed_html(), URL).section == "اهم الاخبار"


def test_seed_page_tags_are_the_six_links_after_the_label_in_order() -> None:
    assert extract_article(seed_html(), URL).tags == TAGS


def test_seed_page_body_is_the_nine_story_paragraphs_only() -> None:
    body = extract_article(seed_html(), URL).body

    assert len(body) == 9
    assert body[0].startswith(FIRST_PARAGRAPH_START)
    assert body[-1].endswith(LAST_PARAGRAPH_END)
    joined = "\n".join(body)
    for furniture in ("المصدر:", "مساحة نت", "متابعات", "تابعنا", "Google", "الوسوم", "قراءة"):
        assert furniture not in joined
    assert all(paragraph.strip() for paragraph in body)


def test_seed_page_quotes_in_the_body_are_decoded_once() -> None:
    body = extract_article(seed_html(), URL).body

    assert 'وكالة "بلومبرغ"' in body[1]
    assert "&quot;" not in "".join(body)


def test_seed_page_credit_and_outlet_are_separated() -> None:
    draft = extract_article(seed_html(), URL)

    assert draft.source_credit == "وكالات"
    assert draft.outlet == "مساحة نت"


def test_seed_page_social_links_are_the_follow_us_links_not_share_buttons() -> None:
    social = extract_article(seed_html(), URL).social

    assert social == SocialLinks(
        youtube="https://www.youtube.com/@marsadyemen",
        x="https://twitter.com/marsadyemen",
        telegram="https://t.me/marsadyemen",
        facebook="https://www.facebook.com/marsadyemen",
        google_news="https://news.google.com/publications/CAAqBwgKMM3Rtwsw4eXOAw?hl=ar&gl=EG&ceid=EG:ar",
    )


def test_seed_page_most_read_has_ten_rows_with_outlet_reads_and_absolute_links() -> None:
    most_read = extract_article(seed_html(), URL).most_read

    assert len(most_read) == 10
    assert most_read[0] == MostReadEntry(
        title=(
            "وزارة الخدمة المدنية تفاجئ الجميع...هؤلاء هم الموظفون"
            " الذين سيحصلون على مرتبات ديسمبر 2024"
        ),
        url="https://marsad.example/mobile/article/12290",
        outlet="نيوز لاين",
        reads=1962,
    )
    assert [entry.reads for entry in most_read] == [
        1962, 1669, 1481, 1203, 1099, 997, 879, 757, 756, 746,
    ]  # fmt: skip
    assert most_read[1].title.endswith("فيصل ا")  # cut mid-word, kept as the site shows it
    assert most_read[9].outlet == "جهينة يمن"


def test_seed_page_image_is_og_image_made_absolute() -> None:
    image = extract_article(seed_html(), URL).image

    assert image == "https://marsad.example/uploads/news/2024/12/12345_large.jpg"


def test_seed_page_published_time_is_timezone_aware() -> None:
    published = extract_article(seed_html(), URL).published_at

    assert published is not None
    assert published.utcoffset() == timedelta(hours=3)
    assert (published.year, published.month, published.day, published.hour) == (2024, 12, 8, 21)


def test_seed_page_url_is_kept_as_given_and_summary_is_the_description() -> None:
    draft = extract_article(seed_html(), URL)

    assert draft.url == URL
    assert draft.summary is not None
    assert draft.summary.startswith(FIRST_PARAGRAPH_START)


def test_heuristics_do_not_depend_on_class_names_or_ids() -> None:
    bare = re.sub(r'\s(?:class|id)="[^"]*"', "", seed_html())

    assert extract_article(bare, URL) == extract_article(seed_html(), URL)


# -- variants --------------------------------------------------------------


def windows_1256_page() -> bytes:
    page = replace_once(seed_html(), '<meta charset="utf-8">', '<meta charset="windows-1256">')
    return page.encode("windows-1256")  # strict: every character exists in the code page


def test_windows_1256_page_as_bytes_reads_like_the_utf8_page() -> None:
    assert extract_article(windows_1256_page(), URL) == extract_article(seed_html(), URL)


def test_windows_1256_page_decoded_by_the_caller_reads_the_same() -> None:
    text = windows_1256_page().decode("windows-1256")

    assert extract_article(text, URL) == extract_article(seed_html(), URL)


def test_arabic_indic_digits_in_counters_are_read() -> None:
    page = replace_once(seed_html(), "649 قراءة", "٦٤٩ قراءة")
    page = replace_once(page, "1962 قراءة", "١٬٩٦٢ قراءة")
    page = replace_once(page, "1669 قراءة", "1,669 قراءة")

    draft = extract_article(page, URL)

    assert draft.reads == 649
    assert [entry.reads for entry in draft.most_read[:2]] == [1962, 1669]


def test_counter_in_thousands_words_is_read() -> None:
    page = replace_once(seed_html(), "649 قراءة", "1.5 ألف قراءة")

    assert extract_article(page, URL).reads == 1500


KEYWORDS_META = '<meta name="keywords" content="احمد الشرع,بشار الأسد,حلب,دمشق,روسيا,سوريا">'


def test_page_without_counter_and_tags_has_none_and_empty() -> None:
    page = replace_once(seed_html(), '<i class="fa fa-eye"></i> 649 قراءة', "")
    page = without_block(page, 'class="news-tags"')
    page = replace_once(page, KEYWORDS_META, "")

    draft = extract_article(page, URL)

    assert draft.reads is None
    assert draft.tags == ()
    assert draft.title == HEADLINE
    assert len(draft.most_read) == 10


def test_page_without_a_tag_block_takes_its_tags_from_meta_keywords() -> None:
    page = without_block(seed_html(), 'class="news-tags"')
    page = replace_once(page, KEYWORDS_META, KEYWORDS_META.replace(",حلب,", "، حلب؛ "))

    assert extract_article(page, URL).tags == TAGS


def test_escaped_script_in_title_is_literal_text_and_real_script_is_dropped() -> None:
    written = "تسريب &lt;script&gt;alert(1)&lt;/script&gt; و&amp;lt;b&amp;gt; &quot;خطير&quot;"
    page = replace_once(
        seed_html(),
        f'<h1 class="news-title">{HEADLINE}</h1>',
        f'<h1 class="news-title">{written} <script>alert(2)</script></h1>',
    )
    page = replace_once(
        page,
        f'<meta property="og:title" content="{HEADLINE} | مرصد اليمن">',
        f'<meta property="og:title" content="{written} | مرصد اليمن">',
    )

    title = extract_article(page, URL).title

    assert title == 'تسريب <script>alert(1)</script> و&lt;b&gt; "خطير"'
    assert "alert(2)" not in title


def test_tags_keep_tatweel_and_spaces_but_lose_surrounding_punctuation() -> None:
    page = replace_once(seed_html(), ">احمد الشرع</a>", ">#اليمـــن</a>")
    page = replace_once(page, ">بشار الأسد</a>", ">صنعاء،</a>")
    page = replace_once(page, ">حلب</a>", ">«الريال اليمني»</a>")
    page = replace_once(page, ">دمشق</a>", ">  كأس   الخليج 26 </a>")
    page = replace_once(page, ">روسيا</a>", ">صنعاء</a>")

    tags = extract_article(page, URL).tags

    assert tags == ("اليمـــن", "صنعاء", "الريال اليمني", "كأس الخليج 26", "سوريا")


def test_read_also_share_and_copyright_lines_are_not_body() -> None:
    extra = (
        '<p>اقرأ أيضاً: <a href="/mobile/article/1">ارتفاع أسعار الذهب</a></p>'
        '<p><a href="/mobile/article/2">انخفاض أسعار الصرف في عدن</a></p>'
        "<p>تابعونا على تيليجرام</p><p>شارك الخبر</p>"
        "<p>جميع الحقوق محفوظة © 2024</p><p>\u200b&nbsp;\u200f</p><p>مساحة نت ـ متابعات</p>"
    )
    page = replace_once(seed_html(), "<p>&nbsp;</p>", extra)

    body = extract_article(page, URL).body

    assert len(body) == 9
    assert not any("أيضاً" in p or "شارك" in p or "©" in p or "أسعار" in p for p in body)


def test_naive_published_time_is_taken_as_aden_time() -> None:
    page = replace_once(
        seed_html(),
        '<meta property="article:published_time" content="2024-12-08T21:14:00+03:00">',
        '<meta property="article:published_time" content="2024-12-08 21:14:00">',
    )

    published = extract_article(page, URL).published_at

    assert published is not None
    assert published.utcoffset() == timedelta(hours=3)


def test_published_time_falls_back_to_json_ld_then_time_element() -> None:
    page = re.sub(r'<meta property="article:published_time"[^>]*>', "", seed_html())
    assert extract_article(page, URL).published_at is not None  # JSON-LD

    page = re.sub(r'"datePublished": "[^"]*",', "", page)
    page = replace_once(
        page, '<span class="date"', '<time datetime="2024-12-08T21:14:00Z"></time><span'
    )
    published = extract_article(page, URL).published_at
    assert published is not None
    assert published.utcoffset() == timedelta(0)


def test_section_falls_back_to_breadcrumb_then_meta() -> None:
    no_header = without_block(seed_html(), 'class="page-heading"')
    crumbs = replace_once(
        no_header,
        '<article class="news-details"',
        '<ol class="breadcrumb"><li><a href="/">الرئيسية</a></li>'
        '<li><a href="/section/2">محليات</a></li></ol><article class="news-details"',
    )

    assert extract_article(crumbs, URL).section == "محليات"
    assert extract_article(no_header, URL).section == "اهم الاخبار"  # article:section meta


def test_tags_fall_back_to_rel_tag_then_article_tag_meta() -> None:
    no_label = replace_once(seed_html(), '<span class="label">الوسوم</span>', "")
    rel = no_label.replace('<a href="/tag/', '<a rel="tag" href="/tag/')
    assert extract_article(rel, URL).tags == TAGS

    no_links = without_block(seed_html(), 'class="news-tags"')
    meta = replace_once(
        no_links,
        '<meta property="article:section"',
        '<meta property="article:tag" content="عدن"><meta property="article:tag" content="الطقس">'
        '<meta property="article:section"',
    )
    assert extract_article(meta, URL).tags == ("عدن", "الطقس")


def test_title_falls_back_to_h1_then_heading_before_counter() -> None:
    no_og = re.sub(r'<meta property="og:title"[^>]*>', "", seed_html())
    assert extract_article(no_og, URL).title == HEADLINE

    h2 = no_og.replace('<h1 class="news-title">', '<h2 class="news-title">').replace(
        "</h1>", "</h2>"
    )
    assert extract_article(h2, URL).title == HEADLINE


def test_flat_most_read_rows_without_wrappers_are_read() -> None:
    rows = "".join(
        f"<span>منصة {i} | {1000 - i} قراءة</span>"
        f'<a href="/mobile/article/{i}">خبر رقم {i} عن الطقس</a>'
        for i in range(5)
    )
    page = re.sub(
        r'<section class="most-read">.*?</section>',
        f'<section class="most-read">{rows}</section>',
        seed_html(),
        flags=re.DOTALL,
    )

    draft = extract_article(page, URL)

    assert draft.reads == 649
    assert len(draft.most_read) == 5
    assert draft.most_read[2] == MostReadEntry(
        title="خبر رقم 2 عن الطقس",
        url="https://marsad.example/mobile/article/2",
        outlet="منصة 2",
        reads=998,
    )


def test_x_com_links_are_recognised_as_x() -> None:
    page = replace_once(seed_html(), "https://twitter.com/marsadyemen", "https://x.com/marsad_x")

    assert extract_article(page, URL).social.x == "https://x.com/marsad_x"


def test_page_without_headline_raises_parse_error() -> None:
    with pytest.raises(ParseError, match="no headline found"):
        extract_article("<html><body><p>نص بلا عنوان</p></body></html>", URL)


def test_empty_page_raises_parse_error() -> None:
    with pytest.raises(ParseError):
        extract_article("", URL)


# -- per-source selectors --------------------------------------------------


def test_selectors_win_over_heuristics() -> None:
    selectors = {
        "title": ".breaking-bar a",
        "section": ".main-nav li:nth-child(3) a",
        "reads": ".most-read li:first-child .views",
        "outlet": ".most-read li:first-child .source",
        "tags": ".main-nav li:nth-child(n+3)",
        "body": ".news-content p:first-child",
    }

    draft = extract_article(seed_html(), URL, selectors=selectors)

    assert draft.title.startswith("انخفاض جديد في أسعار صرف")
    assert draft.section == "محليات"
    assert draft.reads == 1962
    assert draft.outlet == "نيوز لاين"
    assert draft.tags == ("محليات", "اقتصاد", "عربي ودولي", "رياضة", "منوعات")
    assert len(draft.body) == 1


def test_selector_that_matches_nothing_falls_back_to_heuristics() -> None:
    draft = extract_article(seed_html(), URL, selectors={"title": ".no-such-class"})

    assert draft.title == HEADLINE


def test_a_title_selector_may_name_the_share_title_in_the_head() -> None:
    page = replace_once(
        seed_html(),
        f'<meta property="og:title" content="{HEADLINE} | مرصد اليمن">',
        '<meta property="og:title" content="روسيا أنقذت الأسد في اللحظات الأخيرة">',
    )
    selectors = {"title": 'meta[property="og:title"]'}

    assert extract_article(page, URL, selectors=selectors).title == (
        "روسيا أنقذت الأسد في اللحظات الأخيرة"
    )
    assert extract_article(page, URL).title == HEADLINE


def test_most_read_selector_reads_each_match_as_a_row() -> None:
    draft = extract_article(
        seed_html(), URL, selectors={"most_read": ".most-read li:nth-child(-n+3)"}
    )

    assert [entry.outlet for entry in draft.most_read] == [
        "نيوز لاين",
        "الميدان اليمني",
        "جهينة يمن",
    ]


@pytest.mark.parametrize(
    "selectors",
    [{"headline": "h1"}, {"title": "h1["}],
    ids=["unknown-field", "invalid-css"],
)
def test_bad_selectors_are_a_config_error(selectors: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        validate_selectors(selectors)
    with pytest.raises(ConfigError):
        extract_article(seed_html(), URL, selectors=selectors)


# -- text rules ------------------------------------------------------------


def test_clean_text_collapses_whitespace_and_never_decodes_entities() -> None:
    assert clean_text("  a\u00a0\u200b b\n\t c &lt;b&gt; ") == "a b c &lt;b&gt;"


@pytest.mark.parametrize(
    "line",
    ["المصدر: وكالات.", "مساحة نت ـ متابعات", "تابعنا على تويتر", "اقرأ أيضا: خبر", "شارك", ""],
)
def test_furniture_lines_are_recognised(line: str) -> None:
    assert is_furniture(line)


def test_story_sentence_starting_with_source_word_is_not_furniture() -> None:
    assert not is_furniture("المصدر الأمني قال إن الحادث وقع مساء أمس في مديرية المنصورة بعدن")


# -- properties ------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, paragraph=TEXT)
@example(title="0", paragraph="0")  # a paragraph equal to the headline is the headline repeated
def test_escaped_text_comes_back_exactly_once_decoded(title: str, paragraph: str) -> None:
    page = replace_once(seed_html(), f">{HEADLINE}</h1>", f">{html.escape(title)}</h1>")
    page = replace_once(
        page,
        f'<meta property="og:title" content="{HEADLINE} | مرصد اليمن">',
        f'<meta property="og:title" content="{html.escape(title)} | مرصد اليمن">',
    )
    page = replace_once(page, "<p>&nbsp;</p>", f"<p>{html.escape(paragraph)}</p>")

    try:
        draft = extract_article(page, URL)
    except ParseError:
        return

    if clean_text(title):
        assert draft.title == clean_text(title)
    expected = clean_text(paragraph)
    if expected and not is_furniture(expected) and _words(expected) != _words(title):
        assert expected in draft.body  # (the headline repeated atop the story is left out)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, paragraph=TEXT)
def test_raw_injected_text_never_yields_markup_or_crashes(title: str, paragraph: str) -> None:
    title, paragraph = title.replace("&", ""), paragraph.replace("&", "")
    page = replace_once(seed_html(), f">{HEADLINE}</h1>", f">{title}</h1>")
    page = replace_once(page, "<p>&nbsp;</p>", f"<p>{paragraph}</p>")
    page = page.replace("وزارة الخدمة المدنية", paragraph)

    try:
        draft = extract_article(page, URL)
    except ParseError:
        return

    for text in all_texts(draft):
        assert not MARKUP.search(text), text


@settings(max_examples=40, deadline=None)
@given(junk=st.text(max_size=300))
def test_arbitrary_input_never_crashes(junk: str) -> None:
    try:
        draft = extract_article(junk, URL)
    except ParseError:
        return
    assert draft.title


# -- another layout --------------------------------------------------------

OTHER_LAYOUT = """<html><head><meta charset="utf-8">
<title>تحسن في إمدادات المياه - موقع المدينة</title>
<meta property="og:site_name" content="موقع المدينة"></head><body>
<header><h1><a href="/">موقع المدينة</a></h1></header>
<nav aria-label="breadcrumb"><a href="/">الرئيسية</a> » <a href="/c/local">محليات</a></nav>
<div><h2>تحسن في إمدادات المياه</h2><span>المشاهدات: ٢٬٣٤٥</span>
<div><p>أعلنت المؤسسة المحلية للمياه تحسن الإمدادات في أحياء المدينة.</p>
<p>وقال مصدر في المؤسسة إن الضخ <b>سيستمر</b> يومياً.</p>
<p>اقرأ أيضاً: <a href="/x">خبر آخر</a></p><p>المصدر: خاص</p></div>
<div>وسوم: <a href="/t/a">المياه</a>، <a href="/t/b">عدن</a></div>
<time datetime="2025-01-01T10:00:00">١ يناير</time></div>
<aside><h3>الأكثر قراءة</h3><ol>
<li><a href="/a/1">خبر أول مهم جداً</a><small>عدن اليوم | 300 مشاهدة</small></li>
<li><a href="/a/2">خبر ثان مهم</a><small>المشهد | 200 مشاهدة</small></li>
<li><a href="/a/3">خبر ثالث</a><small>المشهد | 100 مشاهدة</small></li>
</ol></aside></body></html>"""


def test_a_differently_built_page_is_read_by_the_same_heuristics() -> None:
    draft = extract_article(OTHER_LAYOUT, "https://city.example/p/1")

    assert draft.title == "تحسن في إمدادات المياه"
    assert draft.section == "محليات"
    assert draft.reads == 2345
    assert draft.body == (
        "أعلنت المؤسسة المحلية للمياه تحسن الإمدادات في أحياء المدينة.",
        "وقال مصدر في المؤسسة إن الضخ سيستمر يومياً.",
    )
    assert draft.source_credit == "خاص"
    assert draft.tags == ("المياه", "عدن")
    assert draft.published_at is not None
    assert draft.published_at.utcoffset() == timedelta(hours=3)
    assert [(e.title, e.outlet, e.reads) for e in draft.most_read] == [
        ("خبر أول مهم جداً", "عدن اليوم", 300),
        ("خبر ثان مهم", "المشهد", 200),
        ("خبر ثالث", "المشهد", 100),
    ]
    assert draft.most_read[0].url == "https://city.example/a/1"
