"""What a post of an article could show, before it is fitted to a platform.

Kept apart from `templates` (which the options validate against) so the
options and the template rules never import each other.
"""

from __future__ import annotations

from bot.core.formatting.labels import credit_text, labels_for, reads_text
from bot.core.formatting.options import FormatOptions, UtmOptions
from bot.core.formatting.templates import Parts, hard_cut
from bot.core.links import clean_url, tag_url
from bot.core.model import Article
from bot.core.text.arabic import fold, normalize_text
from bot.core.text.hashtags import make_hashtags
from bot.core.text.summary import clean_paragraphs, cut_words


def summary_source(article: Article) -> str:
    """The text a summary is taken from: the body, else the feed's summary.

    A body whose first paragraph repeats the headline (pages often do) starts
    after it, so the post does not say the same thing twice.
    """
    paragraphs = clean_paragraphs(article.body.split("\n"))
    if paragraphs and fold(paragraphs[0]) == fold(normalize_text(article.title)):
        paragraphs = paragraphs[1:]
    if paragraphs:
        return "\n".join(paragraphs)
    return article.summary or ""


def parts_for(
    article: Article,
    options: FormatOptions,
    *,
    label: str | None,
    hashtag_limit: int,
    utm: UtmOptions,
    utm_source: str,
    summary: str,
    with_footer: bool,
    longest: int,
) -> Parts:
    """Everything a post of `article` could show, before it is fitted to a platform.

    `longest` is the post's limit: no single field may be longer than it.
    """
    labels = labels_for(options.language)
    if label is None:
        label = labels.breaking if article.breaking else ""
    tags = list(article.tags)
    if options.include_section_hashtag and article.section:
        tags.append(article.section)
    hashtags = tuple(make_hashtags(tags, limit=hashtag_limit)) if hashtag_limit else ()
    credit = credit_text(article.source_credit, article.outlet, options.language)
    return Parts(
        title=_cap(normalize_text(article.title), longest),
        link=article_link(article.url, utm, utm_source),
        label=_cap(normalize_text(label), longest),
        summary=summary,
        hashtags=hashtags,
        credit=_cap(credit, longest),
        footer=tuple(options.social.items()) if with_footer else (),
        section=_cap(normalize_text(article.section or ""), longest),
        reads=reads_text(article.reads, options.language) if article.reads is not None else "",
        author=_cap(normalize_text(article.author or ""), longest),
    )


def _cap(text: str, longest: int) -> str:
    """Cut a field that could never fit, so fitting starts from something plausible.

    Every character costs at least one on both platforms, so a field longer
    than the post's limit in characters is cut now, cheaply, rather than one
    costly measurement at a time.
    """
    if len(text) <= longest:
        return text
    cut = cut_words(text, longest)
    return cut or hard_cut(text, len(text) - longest, len)


def article_link(url: str, utm: UtmOptions, source: str) -> str:
    """The article's address without trackers, tagged with our campaign when enabled."""
    cleaned = clean_url(url)
    if not utm.enabled:
        return cleaned
    return tag_url(cleaned, source=source, medium=utm.medium, campaign=utm.campaign)
