"""Posts on X: within 280 as X weighs them, the link always there."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.formatting import FormatOptions, format_digest_x, format_x, weighted_length
from bot.core.formatting.templates import RLM
from bot.core.model import Article, Platform

TITLE = "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"
LEAD = (
    "في تحول مفاجئ للأحداث في سوريا، ومع تقدم قوات المعارضة السورية نحو العاصمة دمشق بشكل "
    "سريع، كان مصير الرئيس بشار الأسد بين أيدي حليفه الاستراتيجي، روسيا، التي كانت قد قررت "
    "التدخل بشكل حاسم لإنقاذ حليفها التاريخي."
)
SEED = Article(
    id=1,
    url="https://www.example-news.net/mobile/article/123456?fbclid=IwAR0x",
    title=TITLE,
    body=f"{LEAD}\n\nالمصدر: وكالات.",
    section="اهم الاخبار",
    outlet="مساحة نت ـ متابعات",
    source_credit="المصدر: وكالات.",
    tags=("احمد الشرع", "بشار الأسد", "حلب", "دمشق", "روسيا", "سوريا"),
    reads=649,
)
OPTIONS = FormatOptions()
LINK = "https://www.example-news.net/mobile/article/123456?utm_source=x&utm_medium=social"
ALL_TAGS = ["#احمد_الشرع", "#بشار_الأسد", "#حلب"]


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def test_seed_post_has_headline_summary_three_hashtags_and_link() -> None:
    post = format_x(SEED, OPTIONS)

    assert lines_of(post.text) == [
        TITLE,
        "",
        "في تحول مفاجئ للأحداث في سوريا، ومع تقدم قوات المعارضة السورية نحو العاصمة دمشق "
        "بشكل سريع، كان مصير الرئيس بشار الأسد بين أيدي حليفه…",
        "",
        " ".join(ALL_TAGS),
        LINK,
    ]
    assert post.platform is Platform.X
    assert post.plain_text == post.text
    assert post.link == LINK
    assert post.length == weighted_length(post.text) <= 280


def test_english_post_has_the_same_shape() -> None:
    post = format_x(SEED, dataclasses.replace(OPTIONS, language="en"), label="🔴 Breaking")
    assert lines_of(post.text)[:2] == ["🔴 Breaking", TITLE]
    assert post.text.endswith(LINK)


def test_breaking_news_is_labelled() -> None:
    post = format_x(dataclasses.replace(SEED, breaking=True), OPTIONS)
    assert lines_of(post.text)[0] == "🔴 عاجل"
    assert post.length <= 280


def _with_title_of_words(count: int) -> Article:
    """A headline weighing 5 * count - 1; the rest of the post weighs 54 without a summary."""
    return dataclasses.replace(SEED, title=" ".join(["كلمة"] * count))


def test_summary_goes_first() -> None:
    article = _with_title_of_words(40)
    post = format_x(article, OPTIONS)
    assert lines_of(post.text) == [article.title, "", " ".join(ALL_TAGS), LINK]


def test_then_hashtags_go_from_the_last() -> None:
    article = _with_title_of_words(46)
    post = format_x(article, OPTIONS)
    lines = lines_of(post.text)
    assert lines[0] == article.title
    assert lines[2] == " ".join(ALL_TAGS[:2])
    assert lines[-1] == LINK


def test_then_the_headline_is_cut_on_a_word_and_the_link_stays() -> None:
    article = dataclasses.replace(SEED, title=" ".join(["عنوان"] * 100))
    post = format_x(article, OPTIONS)
    title, blank, link = lines_of(post.text)
    assert "#" not in post.text
    assert title.endswith("عنوان…")
    assert article.title.startswith(title[:-1] + " ")
    assert (blank, link) == ("", LINK)
    assert post.length == weighted_length(post.text) <= 280


def test_the_ellipsis_weighs_two() -> None:
    # A title that fits only without the ellipsis' second unit must lose one more word.
    article = dataclasses.replace(SEED, title=" ".join(["عنوان"] * 100), tags=())
    post = format_x(article, OPTIONS)
    assert 278 <= post.length <= 280


def test_a_headline_of_one_enormous_word_is_cut_inside_it() -> None:
    post = format_x(dataclasses.replace(SEED, title="ب" * 1000), OPTIONS)
    assert post.length <= 280
    assert post.text.endswith(LINK)
    assert "…" in post.text


def test_a_summary_needs_room_to_say_something() -> None:
    # 40 weighted characters of room (x_min_summary) give a summary; 35 give none.
    assert "في تحول مفاجئ" in format_x(_with_title_of_words(37), OPTIONS).text
    assert "في تحول مفاجئ" not in format_x(_with_title_of_words(38), OPTIONS).text


def test_latin_headline_gets_an_rlm_that_is_counted() -> None:
    article = dataclasses.replace(SEED, title="Apple تطلق هاتفا جديدا")
    post = format_x(article, OPTIONS)
    assert post.text.startswith(RLM + "Apple")
    assert post.length == weighted_length(post.text)


def test_link_line_has_no_mark() -> None:
    assert lines_of(format_x(SEED, OPTIONS).text)[-1] == LINK


def test_hashtag_limit_is_an_option() -> None:
    post = format_x(SEED, dataclasses.replace(OPTIONS, x_hashtags=1))
    assert lines_of(post.text)[-2] == "#احمد_الشرع"


def test_custom_template() -> None:
    options = dataclasses.replace(OPTIONS, x_template="{title} {link}\n{reads}")
    post = format_x(SEED, options)
    assert post.text == f"{TITLE} {LINK}\n٦٤٩ قراءة"


@pytest.mark.parametrize("utm_source", ["x", "newsletter"])
def test_link_is_cleaned_and_tagged(utm_source: str) -> None:
    post = format_x(SEED, OPTIONS, utm_source=utm_source)
    assert post.link == (
        "https://www.example-news.net/mobile/article/123456"
        f"?utm_source={utm_source}&utm_medium=social"
    )


def test_digest_on_x_is_a_thread_of_the_top_three() -> None:
    articles = [
        dataclasses.replace(SEED, id=i, url=f"https://www.example-news.net/mobile/article/{i}")
        for i in range(1, 6)
    ]
    posts = format_digest_x(articles, OPTIONS)

    assert [lines_of(p.text)[0] for p in posts] == [
        "📊 الأكثر قراءة اليوم ١/٣",
        "📊 الأكثر قراءة اليوم ٢/٣",
        "📊 الأكثر قراءة اليوم ٣/٣",
    ]
    assert [p.link for p in posts] == [
        f"https://www.example-news.net/mobile/article/{i}"
        "?utm_source=x&utm_medium=social&utm_campaign=digest"
        for i in (1, 2, 3)
    ]
    assert all(p.length <= 280 and p.text.endswith(p.link) for p in posts)


def test_digest_on_x_with_fewer_articles() -> None:
    posts = format_digest_x([SEED], dataclasses.replace(OPTIONS, language="en"))
    assert [lines_of(p.text)[0] for p in posts] == ["📊 Most read today 1/1"]
    assert format_digest_x([], OPTIONS) == []
