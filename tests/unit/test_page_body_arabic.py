"""The body on Arabic news pages: layouts met in the Arabic pages of the evaluation set."""

from __future__ import annotations

from bot.adapters.sources.pages import extract_article

URL = "https://akhbar.example/2024/05/13/story"
STORY = (
    "أعلنت وزارة النقل تشغيل عشر سيارات كهربائية للأجرة في العاصمة الإدارية اعتبارا من الأربعاء.",
    "وقال الوزير إن الحجز سيكون عبر تطبيق للهاتف المحمول، وإن الدفع متاح نقدا أو بالبطاقة.",
    "وأضاف أن السيارات مراقبة بكاميرات من الداخل والخارج، وأنها متصلة بغرفة تحكم مركزية.",
    "ومن المقرر أن يرتفع عدد السيارات إلى مئة وخمس وأربعين سيارة على مراحل خلال العام الجاري.",
)
HEADLINE = "النقل تشغل سيارات أجرة كهربائية في العاصمة الإدارية"


def page(body: str, header: str = "") -> str:
    return (
        f"<html><head><title>{HEADLINE} - الأخبار</title></head><body>"
        f"<div class='site'>{header}<h1>{HEADLINE}</h1>{body}</div></body></html>"
    )


def test_paragraphs_marked_shareable_are_the_story_and_its_image_caption_is_not() -> None:
    # youm7 marks every paragraph "selectionShareable" (select a passage to share it):
    # the paragraphs are the story, not a share bar.
    paragraphs = [f'<p class="selectionShareable">{s}</p>' for s in STORY]
    caption = (
        '<div class="imgcontainer"><img src="/taxi.jpg" alt="التاكسي الكهربائي"><br>'
        '<span class="uplCaption">التاكسي الكهربائي</span></div>'
    )
    body = "".join(paragraphs[:2]) + caption + "".join(paragraphs[2:])
    html = page(f'<div id="articleBody">{body}</div>')
    assert extract_article(html, URL).body == STORY


def test_a_short_story_beside_an_inline_read_also_box_is_not_widened_to_the_page() -> None:
    # A short story whose container also holds a "إقرأ أيضاً" box of links has
    # no paragraph the widening step counts as prose; widening then must not
    # take the staff lines of the page's header for the story.
    teaser = (
        '<div class="jnews_inline_related_post_wrapper"><h3>إقرأ أيضاً</h3>'
        '<h3><a href="/1">المدير الفني لفريق الفيوم: هدفنا المربع الذهبي.. فيديو</a></h3>'
        '<h3><a href="/2">مصر تكسر حاجز ألف إصابة بكورونا منذ 169 يوما.. زيادة كبيرة</a></h3></div>'
    )
    source = "<p>المصدر: وكالات الأنباء العالمية والمحلية بالقاهرة</p>"
    story = f"<p>{STORY[0]}</p>{teaser}<p>{STORY[1]}</p>{source}"
    header = (
        '<div class="masthead-staff"><p>الإشراف العام : إلهام أبو الفتح</p>'
        "<p>رئيس التحرير : محمود مكاوي</p><p>مدير التحرير: طه جبريل وآخرون من فريق العمل</p>"
        "<div>الإشراف العام : إلهام أبو الفتح | رئيس التحرير : محمود مكاوي | مدير التحرير</div>"
        "</div>"
    )
    inner = f'<div class="content-inner">{story}</div>'
    html = page(f'<div class="entry-content">{inner}</div>', header)
    body = extract_article(html, URL).body
    assert body[: len(STORY[:2])] == STORY[:2]
    assert not any("رئيس التحرير" in line for line in body)


def test_a_caption_beside_its_image_is_not_the_story() -> None:
    picture = (
        '<div class="article_image"><img src="/us.jpg" alt="">'
        '<div class="red">اصابات بفيروس كورونا في امريكا</div></div>'
    )
    credit = (
        '<div class="b-inject"><a href="/p/1"><img src="/p.jpg" alt=""></a>'
        '<div class="b-inject__copy"><span>© REUTERS / SHOKRY HUSSIEN</span></div></div>'
    )
    story = [f"<p>{s}</p>" for s in STORY]
    body = picture + "".join(story[:2]) + credit + "".join(story[2:])
    html = page(f'<div class="main_article_body">{body}</div>')
    assert extract_article(html, URL).body == STORY


def test_the_headline_repeated_in_the_story_container_with_other_quotes_is_left_out() -> None:
    repeated = f'<div class="article_title">"{HEADLINE}"…</div>'
    story = "".join(f"<p>{s}</p>" for s in STORY)
    html = page(f'<div class="article_details_body">{repeated}{story}</div>')
    assert extract_article(html, URL).body == STORY


def test_a_line_saying_when_it_was_published_is_a_dateline_even_in_an_unread_date_form() -> None:
    # "نيسان / أبريل": a month in both the Levantine and the Egyptian series.
    published = '<div class="article_created">تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً</div>'
    story = "".join(f"<p>{s}</p>" for s in STORY)
    html = page(f'<div class="main_article_body">{published}{story}</div>')
    assert extract_article(html, URL).body == STORY


def test_a_sentence_that_begins_like_a_dateline_stays_in_the_story() -> None:
    sentence = "تم نشره في مجلة علمية عام 2020 بعد مراجعة طويلة."
    story = "".join(f"<p>{s}</p>" for s in (*STORY[:2], sentence, *STORY[2:]))
    html = page(f'<div class="main_article_body">{story}</div>')
    assert sentence in extract_article(html, URL).body
