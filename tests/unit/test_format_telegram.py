"""Telegram posts: what a channel reader sees, exact to Telegram's limits."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.formatting import FormatOptions, format_digest_telegram, format_telegram
from bot.core.formatting.options import UtmOptions
from bot.core.formatting.templates import LRM, RLM
from bot.core.model import Article, Platform, SocialLinks
from bot.core.text.telegram_html import parse_html, visible_length

# The seed article (the seed page of tests/fixtures/seed_page.html) as storage hands it over.
SEED_TITLE = "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"
SEED_P1 = (
    "في تحول مفاجئ للأحداث في سوريا، ومع تقدم قوات المعارضة السورية نحو العاصمة دمشق بشكل "
    "سريع، كان مصير الرئيس بشار الأسد بين أيدي حليفه الاستراتيجي، روسيا، التي كانت قد قررت "
    "التدخل بشكل حاسم لإنقاذ حليفها التاريخي."
)
SEED_P2 = (
    'ووفق ما أفادت به وكالة "بلومبرغ" استناداً إلى ثلاثة مصادر مطلعة، فإن روسيا اقترحت على '
    "الأسد مغادرة دمشق على الفور، وذلك بعدما أقنعته بأن صمود نظامه أصبح مستحيلاً وأنه سيخسر "
    "المعركة ضد المعارضة. وقد عرضت روسيا على الأسد وعائلته ممرًا آمنًا للخروج من البلاد، وهو "
    "ما تم تنفيذه بشكل عاجل."
)
SEED_P3 = (
    "وأظهرت التقارير أن الرئيس الروسي فلاديمير بوتين كان قد طرح تساؤلات حول سبب عدم اكتشاف "
    "جهاز الاستخبارات الروسي التهديد المتزايد على نظام الأسد قبل فوات الأوان، إذ كانت "
    "المعارضة قد بدأت بالتوغل في الضواحي المحيطة بالعاصمة بشكل مفاجئ."
)
SEED_URL = "https://www.example-news.net/mobile/article/123456?utm_source=facebook&fbclid=IwAR0x"
SEED = Article(
    id=1,
    url=SEED_URL,
    title=SEED_TITLE,
    body="\n\n".join([SEED_P1, SEED_P2, SEED_P3]),
    section="اهم الاخبار",
    outlet="مساحة نت ـ متابعات",
    source_credit="المصدر: وكالات.",
    tags=("احمد الشرع", "بشار الأسد", "حلب", "دمشق", "روسيا", "سوريا"),
    reads=649,
)
SOCIAL = SocialLinks(
    youtube="https://www.youtube.com/@example",
    x="https://x.com/example",
    telegram="https://t.me/example",
    facebook="https://www.facebook.com/example",
    google_news="https://news.google.com/publications/CAAqBwgK",
)
OPTIONS = FormatOptions(social=SOCIAL)
LINK = "https://www.example-news.net/mobile/article/123456?utm_source=telegram&utm_medium=social"
HASHTAGS = "#احمد_الشرع #بشار_الأسد #حلب #دمشق #روسيا #سوريا"


def visible(text: str) -> str:
    shown, _ = parse_html(text)
    return shown


def test_seed_post_in_arabic_reads_like_an_editors() -> None:
    post = format_telegram(SEED, OPTIONS)

    assert visible(post.text).split("\n") == [
        SEED_TITLE,
        "",
        f"{SEED_P1} {SEED_P2}",
        "",
        HASHTAGS,
        "",
        "🔗 اقرأ المزيد",
        "📰 المصدر: مساحة نت عن وكالات",
        "",
        "تابعونا: يوتيوب · إكس · تيليجرام · فيسبوك · أخبار جوجل",
    ]
    assert post.text.startswith(f"<b>{SEED_TITLE}</b>\n")
    assert f'<a href="{LINK.replace("&", "&amp;")}">اقرأ المزيد</a>' in post.text
    assert '<a href="https://t.me/example">تيليجرام</a>' in post.text
    assert post.platform is Platform.TELEGRAM
    assert post.link == LINK
    assert post.image is None
    assert post.length == visible_length(post.text)


def test_seed_post_in_english_keeps_the_story_and_translates_the_labels() -> None:
    post = format_telegram(SEED, dataclasses.replace(OPTIONS, language="en"), label="🔥 Most read")

    lines = visible(post.text).split("\n")
    assert lines[:2] == ["🔥 Most read", SEED_TITLE]
    assert lines[-4:] == [
        "🔗 Read more",
        "📰 Source: مساحة نت via وكالات",
        "",
        "Follow us: YouTube · X · Telegram · Facebook · Google News",
    ]
    assert RLM not in post.text
    assert LRM not in post.text


def test_plain_text_is_the_same_post_with_addresses_written_out() -> None:
    post = format_telegram(SEED, OPTIONS)

    assert "<" not in post.plain_text
    assert "&quot;" not in post.plain_text
    assert f"🔗 اقرأ المزيد: {LINK}" in post.plain_text
    assert "يوتيوب https://www.youtube.com/@example" in post.plain_text
    assert post.plain_text.startswith(SEED_TITLE)


@pytest.mark.parametrize(
    ("label", "breaking", "first_line"),
    [
        pytest.param(None, False, SEED_TITLE, id="no-label"),
        pytest.param(None, True, "🔴 عاجل", id="breaking-by-default"),
        pytest.param("", True, SEED_TITLE, id="empty-label-suppresses"),
        pytest.param("🔥 الأكثر قراءة", False, "🔥 الأكثر قراءة", id="trending"),
    ],
)
def test_label_line(label: str | None, breaking: bool, first_line: str) -> None:
    article = dataclasses.replace(SEED, breaking=breaking)
    post = format_telegram(article, OPTIONS, label=label)
    assert visible(post.text).split("\n")[0] == first_line


def test_label_is_bold_above_the_bold_headline() -> None:
    post = format_telegram(SEED, OPTIONS, label="🔴 عاجل")
    assert post.text.startswith(f"<b>🔴 عاجل</b>\n<b>{SEED_TITLE}</b>")


def test_markup_in_article_text_is_escaped_never_interpreted() -> None:
    article = dataclasses.replace(
        SEED,
        title='<script>alert("x")</script> & <b>عاجل</b>',
        body="قال إن 3 < 5 & 7 > 2 صحيح. <a href='javascript:x'>رابط</a>",
        tags=("<i>وسم</i>",),
    )
    post = format_telegram(article, OPTIONS)

    shown, entities = parse_html(post.text)
    assert '<script>alert("x")</script> & <b>عاجل</b>' in shown
    assert "قال إن 3 < 5 & 7 > 2 صحيح." in shown
    assert "&lt;script&gt;alert(&quot;x&quot;)" in post.text
    assert {e.type for e in entities} == {"bold", "text_link"}
    assert all(e.url is None or e.url.startswith("https://") for e in entities)


def test_image_makes_a_caption_within_1024() -> None:
    article = dataclasses.replace(
        SEED, image="https://www.example-news.net/images/1.jpg", body="\n\n".join([SEED_P1] * 20)
    )
    post = format_telegram(article, OPTIONS)

    assert post.image == "https://www.example-news.net/images/1.jpg"
    assert post.length <= 1024
    assert len(post.plain_text) <= 1024
    assert SEED_TITLE in post.plain_text
    assert LINK in post.plain_text


def test_message_summary_stays_short_even_for_long_bodies() -> None:
    article = dataclasses.replace(SEED, body="\n\n".join([SEED_P1, SEED_P2, SEED_P3] * 30))
    post = format_telegram(article, OPTIONS)
    summary = visible(post.text).split("\n")[2]
    assert summary == f"{SEED_P1} {SEED_P2}"
    assert len(summary) <= OPTIONS.telegram_summary_budget


def test_oversized_everything_is_shrunk_in_the_editors_order() -> None:
    long_title = " ".join(["عنوان"] * 1500)
    article = dataclasses.replace(SEED, title=long_title, body=SEED_P1 * 10)
    post = format_telegram(article, OPTIONS)

    shown = visible(post.text)
    assert post.length <= 4096
    assert len(post.plain_text) <= 4096
    assert f"{LINK}" in post.plain_text
    assert "#" not in shown  # hashtags went before the headline was cut
    assert shown.split("\n")[0].endswith("عنوان…")


def test_headline_of_one_enormous_word_is_cut_as_a_last_resort() -> None:
    article = dataclasses.replace(SEED, title="ب" * 5000, image="https://example.com/i.jpg")
    post = format_telegram(article, OPTIONS)
    assert post.length <= 1024
    assert len(post.plain_text) <= 1024
    assert "اقرأ المزيد" in visible(post.text)


def test_utm_source_names_the_destination_and_trackers_go() -> None:
    post = format_telegram(SEED, OPTIONS, utm_source="dm")
    assert post.link.endswith("?utm_source=dm&utm_medium=social")
    assert "fbclid" not in post.link


def test_utm_can_be_turned_off() -> None:
    options = dataclasses.replace(OPTIONS, telegram_utm=UtmOptions(enabled=False))
    assert (
        format_telegram(SEED, options).link == "https://www.example-news.net/mobile/article/123456"
    )


def test_read_more_button_is_optional() -> None:
    assert format_telegram(SEED, OPTIONS).button_text is None
    post = format_telegram(SEED, dataclasses.replace(OPTIONS, read_more_button=True))
    assert (post.button_text, post.button_url) == ("اقرأ المزيد", LINK)


def test_hashtag_limit_and_section_hashtag() -> None:
    options = dataclasses.replace(OPTIONS, telegram_hashtags=3, include_section_hashtag=True)
    assert "#احمد_الشرع #بشار_الأسد #حلب\n" in visible(format_telegram(SEED, options).text)
    options = dataclasses.replace(options, telegram_hashtags=10)
    assert f"{HASHTAGS} #اهم_الاخبار\n" in visible(format_telegram(SEED, options).text)


def test_no_social_links_no_footer_and_no_tags_no_hashtag_line() -> None:
    article = dataclasses.replace(SEED, tags=(), outlet=None, source_credit=None)
    post = format_telegram(article, FormatOptions())
    assert visible(post.text).split("\n") == [
        SEED_TITLE,
        "",
        f"{SEED_P1} {SEED_P2}",
        "",
        "🔗 اقرأ المزيد",
    ]


def test_empty_body_falls_back_to_the_feed_summary() -> None:
    article = dataclasses.replace(SEED, body="", summary="ملخص الخبر كما نشره الموقع.")
    assert "\nملخص الخبر كما نشره الموقع.\n" in visible(format_telegram(article, OPTIONS).text)


def test_body_repeating_the_headline_does_not_repeat_it() -> None:
    article = dataclasses.replace(SEED, body=f"{SEED_TITLE}\n\n{SEED_P1}")
    assert visible(format_telegram(article, OPTIONS).text).split("\n")[2] == SEED_P1


def test_a_link_telegram_would_refuse_is_shown_not_linked() -> None:
    article = dataclasses.replace(SEED, url="not a link")
    post = format_telegram(article, OPTIONS)
    parse_html(post.text)
    assert "🔗 not a link" in visible(post.text)


@pytest.mark.parametrize(
    ("title", "marked"),
    [
        pytest.param("Apple تطلق هاتفا جديدا", True, id="latin-first"),
        pytest.param("2024 عام الانتخابات", False, id="number-then-arabic"),
        pytest.param("2024", True, id="number-only"),
        pytest.param("عام 2024 في اليمن", False, id="arabic-first"),
        pytest.param("«Apple» تطلق هاتفا", True, id="quoted-latin-first"),
    ],
)
def test_rlm_opens_lines_that_would_otherwise_run_left_to_right(title: str, marked: bool) -> None:
    post = format_telegram(dataclasses.replace(SEED, title=title), OPTIONS)
    assert post.text.startswith(RLM + "<b>") is marked
    assert post.plain_text.startswith(RLM) is marked
    assert post.length == visible_length(post.text)  # the mark is counted


def test_latin_hashtags_keep_their_hash_on_the_left() -> None:
    article = dataclasses.replace(SEED, tags=("سوريا", "Syria", "COVID-19"))
    shown = visible(format_telegram(article, OPTIONS).text)
    assert f"#سوريا {LRM}#Syria {LRM}#COVID_19" in shown


def test_custom_template_shapes_the_post() -> None:
    options = dataclasses.replace(
        OPTIONS, telegram_template="<i>{section}</i> | {reads}\n<b>{title}</b>\n{link}"
    )
    post = format_telegram(SEED, options)
    assert visible(post.text).split("\n") == [
        "اهم الاخبار | ٦٤٩ قراءة",
        SEED_TITLE,
        "اقرأ المزيد",
    ]


def test_an_invalid_template_is_refused_when_options_are_built() -> None:
    with pytest.raises(ValueError, match="unknown field 'headline'"):
        FormatOptions(telegram_template="<b>{headline}</b> {link}")


# The daily digest on Telegram.


def _ranked(count: int) -> list[Article]:
    return [
        dataclasses.replace(
            SEED,
            id=i,
            url=f"https://www.example-news.net/mobile/article/{1000 + i}",
            title=f"{SEED_TITLE} {i}",
            reads=2000 - i,
        )
        for i in range(1, count + 1)
    ]


def test_digest_lists_linked_headlines_with_arabic_indic_read_counts() -> None:
    post = format_digest_telegram(_ranked(3), OPTIONS)

    lines = visible(post.text).split("\n")
    assert lines[:5] == [
        "📊 الأكثر قراءة اليوم",
        "",
        f"١. {SEED_TITLE} 1 — ١٬٩٩٩ قراءة",
        f"٢. {SEED_TITLE} 2 — ١٬٩٩٨ قراءة",
        f"٣. {SEED_TITLE} 3 — ١٬٩٩٧ قراءة",
    ]
    assert lines[-1].startswith("تابعونا: يوتيوب")
    assert (
        '<a href="https://www.example-news.net/mobile/article/1001?utm_source=telegram'
        '&amp;utm_medium=social&amp;utm_campaign=digest">' in post.text
    )
    assert "https://www.example-news.net/mobile/article/1002" in post.plain_text


def test_digest_in_english_uses_western_digits_and_its_own_title() -> None:
    options = dataclasses.replace(OPTIONS, language="en")
    post = format_digest_telegram(_ranked(1), options, title="Top stories")
    assert visible(post.text).split("\n")[:3] == [
        "Top stories",
        "",
        f"1. {SEED_TITLE} 1 — 1,999 reads",
    ]


def test_digest_keeps_the_top_of_the_ranking_within_4096() -> None:
    post = format_digest_telegram(_ranked(200), OPTIONS)
    assert post.length <= 4096
    assert len(post.plain_text) <= 4096
    shown = visible(post.text)
    assert f"١. {SEED_TITLE} 1 —" in shown
    assert f"{SEED_TITLE} 200 " not in shown


def test_digest_needs_an_article() -> None:
    with pytest.raises(ValueError, match="at least one article"):
        format_digest_telegram([], OPTIONS)
