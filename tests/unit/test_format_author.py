"""The {author} template field: the byline a page names, where an editor's template puts it."""

from __future__ import annotations

import dataclasses

from bot.core.formatting import FormatOptions, format_telegram, format_x
from bot.core.formatting.templates import validate_template
from bot.core.model import Article, Platform
from bot.core.text.telegram_html import parse_html

ARTICLE = Article(
    id=1,
    url="https://news.example/article/1",
    title="العاصفة تغلق ميناء عدن",
    author="سارة أحمد & فريق التحرير",
)
TELEGRAM = "<b>{title}</b>\n✍️ <i>{author}</i>\n{link}"
X = "{title}\n✍️ {author}\n{link}"


def test_an_author_field_passes_telegrams_own_template_check() -> None:
    validate_template(TELEGRAM, Platform.TELEGRAM)
    validate_template(X, Platform.X)


def test_the_author_appears_where_the_template_puts_it_escaped_once() -> None:
    post = format_telegram(ARTICLE, FormatOptions(telegram_template=TELEGRAM))
    assert "<i>سارة أحمد &amp; فريق التحرير</i>" in post.text
    shown, _ = parse_html(post.text)
    assert "✍️ سارة أحمد & فريق التحرير" in shown

    tweet = format_x(ARTICLE, FormatOptions(x_template=X))
    assert "✍️ سارة أحمد & فريق التحرير" in tweet.text


def test_without_an_author_its_line_goes() -> None:
    anonymous = dataclasses.replace(ARTICLE, author=None)
    shown, _ = parse_html(
        format_telegram(anonymous, FormatOptions(telegram_template=TELEGRAM)).text
    )
    assert "✍️" not in shown
    assert format_x(anonymous, FormatOptions(x_template=X)).text.count("\n") == 1


def test_the_built_in_posts_carry_no_author() -> None:
    shown, _ = parse_html(format_telegram(ARTICLE, FormatOptions()).text)
    assert "سارة" not in shown
    assert "سارة" not in format_x(ARTICLE, FormatOptions()).text


def test_a_long_byline_gives_way_before_the_headline() -> None:
    wordy = dataclasses.replace(ARTICLE, author="مراسل " * 60)
    tweet = format_x(wordy, FormatOptions(x_template=X))
    assert tweet.text.startswith(ARTICLE.title)
    assert "مراسل" not in tweet.text
