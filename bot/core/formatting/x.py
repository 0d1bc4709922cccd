"""An article as a post on X, within 280 as X weighs text.

X weighs Arabic letters 1 but emoji, "…" and bidi marks 2, and any link 23,
so a post is measured with `weighted_length` on the final text. When it is
too long the summary shrinks and goes first, then hashtags from the last,
then the headline is cut on a word boundary; the article link always stays,
it is the point of the post.
"""

from __future__ import annotations

from bot.core.formatting.labels import labels_for
from bot.core.formatting.options import FormatOptions
from bot.core.formatting.parts import parts_for, summary_source
from bot.core.formatting.templates import (
    Parts,
    default_template,
    fit,
    mark_hashtag,
    mark_rtl_lines,
    render,
)
from bot.core.model import Article, Platform, Post
from bot.core.text.summary import lead_summary
from bot.core.text.tweet_length import MAX_WEIGHTED_LENGTH, weighted_length

_SEPARATOR = " · "


def format_x(
    article: Article,
    options: FormatOptions,
    *,
    label: str | None = None,
    utm_source: str = "x",
) -> Post:
    """Render `article` as one post on X: headline, a short summary if room, hashtags, link.

    Args:
        article: The article to post.
        options: Templates, hashtag limit and links.
        label: Line above the headline; None means the breaking label for
            breaking news and none otherwise, "" means none.
        utm_source: Campaign source of the article link.
    """
    template = options.x_template or default_template(Platform.X, options.language)
    source = summary_source(article)

    def shorter_summary(room: int) -> str:
        if room < options.x_min_summary:
            return ""
        return lead_summary(source, room, measure=weighted_length)

    parts = parts_for(
        article,
        options,
        label=label,
        hashtag_limit=options.x_hashtags,
        utm=options.x_utm,
        utm_source=utm_source,
        summary=shorter_summary(options.x_summary_budget),
        with_footer=True,
        longest=MAX_WEIGHTED_LENGTH,
    )

    def overflow(candidate: Parts) -> int:
        return weighted_length(render_x(template, candidate, options)) - MAX_WEIGHTED_LENGTH

    parts = fit(parts, overflow, measure=weighted_length, shorter_summary=shorter_summary)
    text = render_x(template, parts, options)
    return Post(
        platform=Platform.X,
        text=text,
        plain_text=text,
        link=parts.link,
        length=weighted_length(text),
    )


def render_x(template: str, parts: Parts, options: FormatOptions) -> str:
    """The post as X shows it: plain text, addresses written out for X to shorten."""
    arabic = options.language != "en"
    footer = ""
    if parts.footer:
        labels = labels_for(options.language)
        links = _SEPARATOR.join(f"{labels.network(name)} {url}" for name, url in parts.footer)
        footer = f"{labels.follow_us}: {links}"
    values = {
        "label": parts.label,
        "title": parts.title,
        "summary": parts.summary,
        "hashtags": " ".join(mark_hashtag(t) if arabic else t for t in parts.hashtags),
        "link": parts.link,
        "credit": parts.credit,
        "footer": footer,
        "section": parts.section,
        "reads": parts.reads,
        "author": parts.author,
    }
    text = render(template, values)
    return mark_rtl_lines(text, markup=False) if arabic else text
