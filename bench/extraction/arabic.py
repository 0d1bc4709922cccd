"""The Arabic pages of the evaluation set: where each page comes from and how it was annotated.

Usage: ``python -m bench.extraction.arabic NEWSPAPER4K FUNDUS MAGIC_HTML HTMLDATE``,
each a clone (or bare git directory) of the repository named in
``data/README.md``; it writes ``data/arabic.jsonl.xz``. The bench never runs
this; it reads the committed file.

No public corpus annotates Arabic news pages for extraction, so the pages are
real news pages saved in the test data of public libraries, and the
annotations are made here, without Nashir's extractor:

- where the source repository ships the article text its authors wrote down
  as the expected result (newspaper4k's ``.txt``, fundus's ``.json``), that
  text is the body;
- otherwise the body is the text of the CSS selectors below, read by hand
  from the page, with the elements in ``drop`` (captions, share bars, inline
  "اقرأ أيضاً" teasers, tag lists, advertisements) removed first. The text of
  a selection is its text nodes in order, one line per block element or
  ``<br>``.

Titles are the headline as the page shows it; dates are the annotated ones of
htmldate's evaluation set where the page comes from it, else the page's
visible or declared publication date; authors are the names the page shows
as the story's writer (a byline such as "كتب ضحى عرفة" gives "ضحى عرفة");
``with`` are sentences of the body and ``without`` are boilerplate lines
visible on the page.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bench.extraction.files import write_pages

NEWSPAPER4K = "AndyTheFactory/newspaper4k"
FUNDUS = "flairNLP/fundus"
MAGIC_HTML = "opendatalab/magic-html"
HTMLDATE = "adbar/htmldate"

#: The commit of each source repository the pages were taken from.
COMMITS = {
    NEWSPAPER4K: "540bff3e8344cb8291c4829fafd98860f30d9692",
    FUNDUS: "18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
    MAGIC_HTML: "47d4a7fed12030e906a093b074637f178cb46ef2",
    HTMLDATE: "b8952828329abaeeb3be21387b526f2be614ce67",
}


@dataclass(frozen=True, slots=True)
class Page:
    """One Arabic page: its source file and its annotation."""

    id: str
    repo: str
    path: str
    url: str
    title: str
    body: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    truth: str | None = None
    date: str | None = None
    author: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()


_YOUM7_DROP = ("div.imgcontainer", "div.aries_div", "[id^=vidverto]", "script", "style")

PAGES: tuple[Page, ...] = (
    Page(
        id="ar-cnnarabic",
        repo=NEWSPAPER4K,
        path="tests/data/html/arabic_article.html",
        url="http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
        truth="tests/data/txt/arabic_article.txt",
        title="معارضون يسيطرون على مخازن للصواريخ بريف دمشق",
        with_=(
            "وقال المرصد السوري لحقوق الإنسان، وهو هيئة معارضة مقرها لندن",
            "أما الائتلاف الوطني السوري المعارض، فقد دعا في بيان له",
        ),
        without=(
            "ترحب شبكة CNN بالنقاش الحيوي والمفيد",
            "القبض على شاب تحرش بطفلة في السعودية",
            "شروط الخدمة | بيان الخصوصية",
        ),
    ),
    Page(
        id="ar-lbcgroup",
        repo=FUNDUS,
        path="tests/resources/parser/test_data/lb/LBCGroup_2026_01_08.html.gz",
        url=(
            "https://www.lbcgroup.tv/news/lifestyle/898682/"
            "%D8%B4%D8%B9%D8%B1-%D9%88%D8%B1%D8%AF%D9%8A-%D9%8A%D9%8F%D8%B4%D8%B9%D9%84/ar"
        ),
        truth="tests/resources/parser/test_data/lb/LBCGroup.json",
        title='"شعر وردي يُشعل السخرية"… لغز لون شعر دونالد ترامب يربك الجمهور وخبير يشرح السبب',
        date="2026-01-08",
        with_=(
            "أثار ظهور دونالد ترامب بشعرٍ مائل إلى اللون الوردي خلال خطاب ألقاه في واشنطن العاصمة",
        ),
    ),
    Page(
        id="ar-youm7-2024-05-13",
        repo=MAGIC_HTML,
        path=(
            "benchmark/data/article/htmls/"
            "4571254ba0d43a5698f25dae0f0276c9a5c5369fa96c0b6899ce3f32fb8f106a.html"
        ),
        url="https://www.youm7.com/story/2024/5/13/6573469",
        title=(
            "وزارة النقل تشغل 10 سيارات كهربائية للعمل تاكسى بالعاصمة الإدارية.. وتؤكد: حجزها "
            "يبدأ الأربعاء بتطبيق هاتف والدفع فيزا وكاش.. والمركبات مراقبة بكاميرات إلكترونية "
            "من الداخل والخارج وبها أجهزة GPS.. صور"
        ),
        body=("div#articleBody",),
        drop=_YOUM7_DROP,
        date="2024-05-13",
        author="سيد الخلفاوى",
        with_=(
            "من جانبه أكد الفريق مهندس كامل الوزير وزير النقل",
            "ويخدم الركاب الآن فى العاصمة الإدارية عدة وسائل صديقة للبيئة",
        ),
        without=("Vidverto Player", "اضف تعليقاً واقرأ تعليقات القراء"),
    ),
    Page(
        id="ar-youm7-2024-05-20",
        repo=MAGIC_HTML,
        path=(
            "benchmark/data/article/htmls/"
            "f1e9572d5e8ee235fb28cb652f5fa64dcc4b298e36d884e37149ec25edda5fc4.html"
        ),
        url="https://www.youm7.com/story/2024/5/20/6574622",
        title="وزارة العمل: تفاصيل تسفير 5 آلاف عامل مصرى لليونان للعمل بالزراعة قريبا",
        body=("div#articleBody",),
        drop=_YOUM7_DROP,
        date="2024-05-20",
        author="آية دعبس",
        with_=(
            "قال عبد الوهاب خضر، المستشار الإعلامى والمتحدث الرسمى باسم وزارة العمل",
            "وكانت قد دعت وزارة العمل، الشباب المصري",
        ),
        without=("Vidverto Player", "اضف تعليقاً واقرأ تعليقات القراء"),
    ),
    Page(
        id="ar-sputnik",
        repo=HTMLDATE,
        path="tests/test_set/1550981615.html",
        url=(
            "https://arabic.sputniknews.com/arab_world/202003171044893040-"
            "%D9%85%D8%B5%D8%B1-%D8%AA%D8%B3%D8%AC%D9%84-30-%D8%A5%D8%B5%D8%A7%D8%A8%D8%A9/"
        ),
        title="مصر تسجل 30 إصابة جديدة وحالتي وفاة بفيروس كورونا",
        body=("div.b-article__lead", "div.b-article__text"),
        drop=("div.b-inject",),
        date="2020-03-17",
        with_=(
            "أعلنت وزارة الصحة والسكان المصرية، اليوم الثلاثاء، تسجيل 30 حالة جديدة",
            "وصنفت منظمة الصحة العالمية يوم 11 مارس/ آذار مرض فيروس كورونا",
        ),
        without=("مصر تحظر تصدير الكحول والكمامات الطبية", "انسخ الرابط"),
    ),
    Page(
        id="ar-almadenahnews",
        repo=HTMLDATE,
        path="tests/test_set/1588107198.html",
        url="https://www.almadenahnews.com/article/825076",
        title="أميركا :50 الفا حصيلة الوفيات بسبب فيروس كورونا",
        body=("div.main_article_body",),
        date="2020-04-24",
        with_=("بلغت حصيلة الوفيات الناجمة عن فيروس كورونا المستجدّ في الولايات المتحدة 50 ألفاً",),
        without=("تم نشره الجمعة 24 نيسان / أبريل 2020",),
    ),
    Page(
        id="ar-albayan",
        repo=HTMLDATE,
        path="tests/test_set/1623715966.html",
        url="https://www.albayan.ae/across-the-uae/news-and-reports/2020-06-03-1.3874341",
        title="القائم بأعمال السفارة الأفغانية يثمّن جهود الإمارات",
        body=("div#articledetails",),
        drop=("div.metadata", "p.follow-google", "div.shareholder", "#parsely-related-stories"),
        date="2020-06-03",
        with_=("ودعا داودزي أبناء الجالية الأفغانية في الإمارات",),
        without=("تابعوا أخبار الإمارات من البيان عبر غوغل نيوز",),
    ),
    Page(
        id="ar-youm7-2020",
        repo=HTMLDATE,
        path="tests/test_set/1691196862.html",
        url="https://www.youm7.com/story/2020/8/24/4943459",
        title=(
            "وزير الرى يشهد توقيع عقد دراسة تحديد السحب الآمن للخزانات الجوفية مع جامعة القاهرة"
        ),
        body=("div#articleBody",),
        drop=_YOUM7_DROP,
        date="2020-08-24",
        author="أسماء نصار",
        with_=(
            "وأفاد المهندس سيد سركيس رئيس قطاع المياة الجوفية بالوزارة",
            "وتهدف تلك الدراسة تحديد الإمكانات والسحب الآمن المستدام للخزانات الجوفية",
        ),
        without=(
            "اضف تعليقاً واقرأ تعليقات القراء",
            "وزير الرى: لجنة إيراد النهر فى انعقاد مستمر لمتابعة موقف الفيضان",
        ),
    ),
    Page(
        id="ar-akhbarelyom",
        repo=HTMLDATE,
        path="tests/test_set/1731695567.html",
        url="https://akhbarelyom.com/news/newdetails/3126898/1/",
        title="36 عامًا.. سر رحيل نعيمة عاكف في سن مبكر",
        body=("div.entry-content",),
        date="2020-10-07",
        author="نورهان نبيل",
        with_=("يصادف اليوم ذكرى ميلاد الفنانة نعيمة عاكف",),
        without=("الكلمات الدالة",),
    ),
    Page(
        id="ar-beirutobserver",
        repo=HTMLDATE,
        path="tests/test_set/1764731404.html",
        url="https://www.beirutobserver.com/2020/11/2338761/",
        title="سرقة منزل أميرة سعودية في باريس يضم أغراضاً فاخرة بقيمة 700 ألف دولار",
        body=("div.entry div.content-rules",),
        drop=("div.wpipa-container",),
        date="2020-11-09",
        author="Ziad Sankary",
        with_=("تضمَّنَت السرقة نحو 30 حقيبة من علامة هيرميس التجارية",),
    ),
    Page(
        id="ar-alyaum",
        repo=HTMLDATE,
        path="tests/test_set/1784190729.html",
        url="https://www.alyaum.com/articles/6291787/",
        title="طهران تدفن «زادة».. وتتهم المعارضة الإيرانية باغتياله",
        body=("div.aksa-articleBody",),
        date="2020-12-01",
        author="حسام أبو العلا",
        with_=(
            "وسط تهديدات إيرانية بالانتقام وتوعد إسرائيلي برد قاس",
            "وشدد كوهين على أن إسرائيل ستواصل منع إيران من امتلاك سلاح نووي",
        ),
        without=("مواضيع ذات علاقة",),
    ),
    Page(
        id="ar-elbalad",
        repo=HTMLDATE,
        path="tests/test_set/1806793639.html",
        url="https://elbaladtv.net/2020/12/25/",
        title="تركى آل الشيخ بعد إصابة يسرا بكورونا: يارب يرفع عنك",
        body=("div.content-inner",),
        drop=(
            "div.jnews_inline_related_post_wrapper",
            "div.jeg_post_tags",
            "div.code-block",
            "div.jeg_ad",
        ),
        date="2020-12-25",
        author="ضحى عرفة",
        with_=("يذكر أن أخر أعمال الفنانة يسرا، مسلسل",),
        without=("المدير الفني لفريق الفيوم: هدفنا المربع الذهبي هذا الموسم",),
    ),
)

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_SKIP = frozenset(
    ["script", "style", "noscript", "iframe", "template", "svg", "button", "select", "textarea"]
)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200e\u200f]+")


def text_of(node: LexborNode) -> str:
    """A node's text: its text nodes in order, a line break at every block element and <br>."""
    parts: list[str] = []

    def walk(parent: LexborNode) -> None:
        for child in parent.iter(include_text=True):
            if child.tag == "-text":
                parts.append(child.text_content or "")
            elif child.tag and not child.tag.startswith(("-", "_")) and child.tag not in _SKIP:
                block = child.tag in _BLOCK
                parts.append("\n" if block else "")
                walk(child)
                parts.append("\n" if block else "")

    walk(node)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def annotated_body(html: str, page: Page) -> str:
    """The text of the page's body selectors, in document order, after removing `drop`."""
    tree = LexborHTMLParser(html)
    for selector in page.drop:
        for node in tree.css(selector):
            node.decompose()
    texts: list[str] = []
    for selector in page.body:
        found = tree.css(selector)
        if not found:
            raise ValueError(f"{page.id}: {selector!r} matches nothing")
        texts.extend(text_of(node) for node in found)
    return "\n".join(t for t in texts if t)


def _truth(raw: bytes, path: str) -> str:
    if path.endswith(".txt"):
        return raw.decode("utf-8").strip()
    sections = json.loads(raw)["V1"]["body"]["sections"]
    return "\n".join(p for s in sections for p in (*s["headline"], *s["paragraphs"]))


def _show(git_dir: str, repo: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{COMMITS[repo]}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def rows(git_dirs: dict[str, str]) -> list[dict[str, Any]]:
    """One evaluation row per page, read from the source repositories' git directories."""
    out = []
    for page in PAGES:
        raw = _show(git_dirs[page.repo], page.repo, page.path)
        if page.path.endswith(".gz"):
            raw = gzip.decompress(raw)
        html = raw.decode("utf-8", "replace")
        if page.truth:
            body = _truth(_show(git_dirs[page.repo], page.repo, page.truth), page.truth)
        else:
            body = annotated_body(html, page)
        missing = [s for s in page.with_ if s not in body]
        if missing:
            raise ValueError(f"{page.id}: must-have sentence not in the body: {missing[0]}")
        out.append(
            {
                "id": page.id,
                "url": page.url,
                "html": html,
                "body": body,
                "title": page.title,
                "author": page.author,
                "date": page.date,
                "with": list(page.with_),
                "without": list(page.without),
                "source": f"{page.repo}@{COMMITS[page.repo][:7]}:{page.path}",
            }
        )
    return out


def main(argv: list[str]) -> int:
    """Write data/arabic.jsonl.xz from the four source repositories."""
    git_dirs = dict(zip((NEWSPAPER4K, FUNDUS, MAGIC_HTML, HTMLDATE), argv, strict=True))
    write_pages("arabic", rows(git_dirs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
