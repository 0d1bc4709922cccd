"""The daily most-read digest, for a Telegram channel and for X.

Articles arrive ranked by selection; the digest keeps their order. On
Telegram it is one message: a numbered list of linked headlines with their
read counts, Arabic-Indic numerals in Arabic. On X it is the top three as
three complete posts, each labelled "الأكثر قراءة اليوم ١/٣", meant to be
published as a thread (the first is the root, each next one replies to the
one before). Each stands alone with its own link, hashtags and summary
budget, so a reader who meets one in a timeline loses nothing, and a
publisher that cannot thread may post them separately. One combined tweet
was the alternative: three links cost 69 of 280 and would leave about 30
Arabic letters per headline, too few to tell the stories apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from html import escape

from bot.core.formatting.labels import format_number, labels_for, reads_text
from bot.core.formatting.options import TELEGRAM_MESSAGE_LIMIT, FormatOptions
from bot.core.formatting.parts import article_link
from bot.core.formatting.telegram import SEPARATOR, anchor
from bot.core.formatting.templates import mark_rtl_lines
from bot.core.formatting.x import format_x
from bot.core.model import Article, Platform, Post
from bot.core.text.arabic import normalize_text
from bot.core.text.summary import ELLIPSIS, cut_words
from bot.core.text.telegram_html import parse_html, visible_length

DIGEST_CAMPAIGN = "digest"
X_DIGEST_SIZE = 3
# A headline longer than this is cut in the list: a digest is scanned, not read.
_HEADLINE_LIMIT = 160


def format_digest_telegram(
    articles: Sequence[Article], options: FormatOptions, *, title: str | None = None
) -> Post:
    """One Telegram message listing `articles` in order, within 4096 visible characters.

    Articles that do not fit are left off the end, so the list is always the
    top of the ranking. Links carry the "digest" campaign unless one is set.

    Raises:
        ValueError: When there is no article to list.
    """
    if not articles:
        raise ValueError("a digest needs at least one article")
    labels = labels_for(options.language)
    heading = normalize_text(title if title is not None else labels.digest_title)
    utm = options.telegram_utm
    utm = dataclasses.replace(utm, campaign=utm.campaign or DIGEST_CAMPAIGN)
    rows = [
        (
            _headline(a),
            article_link(a.url, utm, "telegram"),
            reads_text(a.reads, options.language) if a.reads is not None else "",
        )
        for a in articles
    ]
    html_rows = [_html_row(i, row, options) for i, row in enumerate(rows, start=1)]
    plain_rows = [_plain_row(i, row, options) for i, row in enumerate(rows, start=1)]
    footer = tuple(options.social.items())

    def render(count: int, footer: Sequence[tuple[str, str]]) -> tuple[str, str]:
        text = _digest_html(heading, html_rows[:count], footer, options)
        return text, _digest_plain(heading, plain_rows[:count], footer, options)

    def fits(count: int, footer: Sequence[tuple[str, str]]) -> bool:
        text, plain = render(count, footer)
        limit = TELEGRAM_MESSAGE_LIMIT
        return visible_length(text) <= limit and len(plain) <= limit

    if not fits(1, footer):
        footer = ()
    low, high = 1, len(rows)  # the most rows that fit lies in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle, footer):
            low = middle
        else:
            high = middle - 1
    text, plain = render(low, footer)
    return Post(
        platform=Platform.TELEGRAM,
        text=text,
        plain_text=plain,
        link=rows[0][1],
        length=visible_length(text),
    )


def _headline(article: Article) -> str:
    """The headline as listed: cut on a word if long, inside one only if it is one word."""
    headline = normalize_text(article.title)
    if not headline:
        return article.url
    cut = cut_words(headline, _HEADLINE_LIMIT)
    return cut or headline[: _HEADLINE_LIMIT - 1] + ELLIPSIS


def _html_row(index: int, row: tuple[str, str, str], options: FormatOptions) -> str:
    headline, link, reads = row
    linked = anchor(link, headline)
    if not linked.startswith("<a"):
        linked = f"{escape(headline)} {linked}"
    line = f"{format_number(index, options.language)}. {linked}"
    return f"{line} — {escape(reads)}" if reads else line


def _plain_row(index: int, row: tuple[str, str, str], options: FormatOptions) -> str:
    """A headline and its read count, then its address on a line of its own."""
    headline, link, reads = row
    line = f"{format_number(index, options.language)}. {escape(headline)}"
    if reads:
        line += f" — {escape(reads)}"
    return f"{line}\n{escape(link)}"


def _digest_html(
    heading: str, rows: Sequence[str], footer: Sequence[tuple[str, str]], options: FormatOptions
) -> str:
    labels = labels_for(options.language)
    lines = [f"<b>{escape(heading)}</b>", ""] if heading else []
    lines += rows
    if footer:
        links = SEPARATOR.join(anchor(url, labels.network(name)) for name, url in footer)
        lines += ["", f"{escape(labels.follow_us)}: {links}"]
    text = "\n".join(lines)
    return mark_rtl_lines(text, markup=True, telegram=True) if options.language != "en" else text


def _digest_plain(
    heading: str, rows: Sequence[str], footer: Sequence[tuple[str, str]], options: FormatOptions
) -> str:
    """The digest without markup: each headline followed by its address on its own line."""
    labels = labels_for(options.language)
    lines = [escape(heading), ""] if heading else []
    lines += rows
    if footer:
        links = SEPARATOR.join(f"{labels.network(name)} {url}" for name, url in footer)
        lines += ["", escape(f"{labels.follow_us}: {links}")]
    text = "\n".join(lines)
    if options.language != "en":
        text = mark_rtl_lines(text, markup=True, telegram=True)
    visible, _ = parse_html(text)
    return visible.strip(" \t\r\n\v\f")


def format_digest_x(articles: Sequence[Article], options: FormatOptions) -> list[Post]:
    """The top three of `articles` as X posts for one thread, root first (see module doc)."""
    labels = labels_for(options.language)
    top = list(articles[:X_DIGEST_SIZE])
    utm = options.x_utm
    options = dataclasses.replace(
        options, x_utm=dataclasses.replace(utm, campaign=utm.campaign or DIGEST_CAMPAIGN)
    )
    total = format_number(len(top), options.language)
    return [
        format_x(
            article,
            options,
            label=f"{labels.digest_title} {format_number(index, options.language)}/{total}",
        )
        for index, article in enumerate(top, start=1)
    ]
