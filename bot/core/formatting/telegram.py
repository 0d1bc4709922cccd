"""An article as a Telegram post in HTML parse mode, exact to Telegram's limits.

Telegram counts the text it stores, after it parses the HTML, cleans it and
trims it (trailing whitespace always, leading whitespace only up to the
first entity): 4096 for a text message, 1024 for a photo caption. The post
is rendered through its template, measured with tdlib's rules, as the fake
Bot API does, and shrunk step by step (see `templates.give_way`) until it
fits. Only links Telegram keeps become anchors; any other is shown as text. The plain-text
fallback, sent when Telegram refuses the markup, shows the links' addresses
instead of hiding them behind words, so it is longer; it keeps shrinking on
its own from where the HTML post stopped, and so stays the same post with at
most a little less in it.
"""

from __future__ import annotations

import logging
from html import escape

from bot.core.formatting.labels import labels_for
from bot.core.formatting.options import (
    TELEGRAM_CAPTION_LIMIT,
    TELEGRAM_MESSAGE_LIMIT,
    FormatOptions,
)
from bot.core.formatting.parts import parts_for, summary_source
from bot.core.formatting.templates import (
    Parts,
    default_template,
    fit,
    mark_hashtag,
    mark_rtl_lines,
    render,
    visible_template,
)
from bot.core.links import telegram_keeps_link
from bot.core.model import Article, Platform, Post, SocialLinks
from bot.core.text.summary import lead_summary, shorten
from bot.core.text.telegram_html import TelegramHTMLError, parse_html, visible_length

SEPARATOR = " · "
# What Telegram trims from both ends of a message before counting it.
_TRIMMED = " \t\r\n\v\f"


def format_telegram(
    article: Article,
    options: FormatOptions,
    *,
    label: str | None = None,
    utm_source: str = "telegram",
) -> Post:
    """Render `article` as a Telegram post: a photo caption if it has an image, else a message.

    Args:
        article: The article to post.
        options: Templates, limits, hashtags and links.
        label: Line above the headline ("🔥 الأكثر قراءة"); None means the
            breaking label for breaking news and no label otherwise, "" means none.
        utm_source: Campaign source of the article link ("telegram", or "dm"
            for private chats).
    """
    limit = TELEGRAM_CAPTION_LIMIT if article.image else TELEGRAM_MESSAGE_LIMIT
    budget = options.caption_summary_budget if article.image else options.telegram_summary_budget
    template = options.telegram_template or default_template(Platform.TELEGRAM, options.language)
    source = summary_source(article)
    parts = parts_for(
        article,
        options,
        label=label,
        hashtag_limit=options.telegram_hashtags,
        utm=options.telegram_utm,
        utm_source=utm_source,
        summary=lead_summary(source, budget),
        with_footer=True,
        longest=limit,
    )

    def shorter_summary(room: int) -> str:
        return lead_summary(source, room)

    shown = visible_template(template)
    linkable = frozenset(u for u in (parts.link, *(u for _, u in parts.footer)) if accepts(u))

    def visible_overflow(candidate: Parts) -> int:
        return len(render_visible(shown, candidate, options, linkable)) - limit

    def exact_overflow(candidate: Parts) -> int:
        return visible_length(render_html(template, candidate, options)) - limit

    def plain_overflow(candidate: Parts) -> int:
        return len(render_visible(shown, candidate, options, linkable, addresses=True)) - limit

    # Fitting on the visible text avoids parsing HTML at every step; the exact
    # pass confirms with Telegram's own rules and normally changes nothing.
    parts = fit(parts, visible_overflow, measure=len, shorter_summary=shorter_summary)
    parts = fit(parts, exact_overflow, measure=len, shorter_summary=shorter_summary)
    text = render_html(template, parts, options)
    length = visible_length(text)
    plain_parts = fit(parts, plain_overflow, measure=len, shorter_summary=shorter_summary)
    plain = render_visible(shown, plain_parts, options, linkable, addresses=True)
    if len(plain) > limit:  # only an address longer than the limit gets here
        plain = shorten(plain, limit)
    button = labels_for(options.language).read_more if options.read_more_button else None
    return Post(
        platform=Platform.TELEGRAM,
        text=text,
        plain_text=plain,
        link=parts.link,
        image=article.image,
        button_text=button,
        button_url=parts.link if button else None,
        length=length,
    )


def render_html(template: str, parts: Parts, options: FormatOptions) -> str:
    """The post in Telegram HTML: every piece of text escaped, links as anchors."""
    labels = labels_for(options.language)
    arabic = options.language != "en"
    footer = ""
    if parts.footer:
        links = SEPARATOR.join(anchor(url, labels.network(name)) for name, url in parts.footer)
        footer = f"{escape(labels.follow_us)}: {links}"
    values = {
        "label": escape(parts.label),
        "title": escape(parts.title),
        "summary": escape(parts.summary),
        "hashtags": " ".join(escape(mark_hashtag(t) if arabic else t) for t in parts.hashtags),
        "link": anchor(parts.link, labels.read_more) if parts.link else "",
        "credit": escape(parts.credit),
        "footer": footer,
        "section": escape(parts.section),
        "reads": escape(parts.reads),
        "author": escape(parts.author),
    }
    text = render(template, values)
    return mark_rtl_lines(text, markup=True, telegram=True) if arabic else text


def render_visible(
    shown_template: str,
    parts: Parts,
    options: FormatOptions,
    linkable: frozenset[str],
    *,
    addresses: bool = False,
) -> str:
    """The post as a reader sees it, trimmed as Telegram stores it.

    With `addresses`, links are written out ("اقرأ المزيد: https://..."): that
    is the plain-text fallback. Without, it is exactly what Telegram counts
    for the HTML post, since `shown_template` is the template's visible text.
    """
    labels = labels_for(options.language)
    arabic = options.language != "en"

    def link(url: str, text: str) -> str:
        if addresses:
            return f"{text}: {url}" if url in linkable else url
        return text if url in linkable else url

    footer = ""
    if parts.footer:
        entries = (
            f"{labels.network(name)} {url}" if addresses else link(url, labels.network(name))
            for name, url in parts.footer
        )
        footer = f"{labels.follow_us}: {SEPARATOR.join(entries)}"
    values = {
        "label": parts.label,
        "title": parts.title,
        "summary": parts.summary,
        "hashtags": " ".join(mark_hashtag(t) if arabic else t for t in parts.hashtags),
        "link": link(parts.link, labels.read_more) if parts.link else "",
        "credit": parts.credit,
        "footer": footer,
        "section": parts.section,
        "reads": parts.reads,
        "author": parts.author,
    }
    text = render(shown_template, values)
    if arabic:
        text = mark_rtl_lines(text, markup=False, telegram=True)
    return text.strip(_TRIMMED)


def accepts(url: str) -> bool:
    """Whether Telegram keeps `url` as a link (tdlib's check_link; see `bot.core.links`).

    A link Telegram does not keep is silently dropped from the post, so it is
    shown as text instead: ``http://localhost/``, ``ftp://``, a port 0.
    """
    if not telegram_keeps_link(url):
        return False
    try:
        parse_html(f'<a href="{escape(url)}">x</a>')
    except TelegramHTMLError:
        return False
    return True


def links_telegram_drops(social: SocialLinks) -> list[tuple[str, str]]:
    """The (network, url) pairs of the footer that Telegram would not keep as links.

    Such a link is shown as its address instead of the network's name; it is
    worth a warning at start-up, since it is a setting or a page to fix.
    """
    return [(name, url) for name, url in social.items() if not accepts(url)]


def warn_about_dropped_links(
    social: SocialLinks, logger: logging.Logger, *, seen: set[str] | None = None
) -> None:
    """Log one warning per configured or discovered social link Telegram would drop.

    Args:
        social: The links the footer would show (settings merged with the site's).
        logger: Where the warning goes.
        seen: Links already warned about, for a caller that checks again as new
            links are discovered; updated in place.
    """
    for name, url in links_telegram_drops(social):
        if seen is not None:
            if url in seen:
                continue
            seen.add(url)
        setting = f"NASHIR_SOCIAL_{name.upper()}"
        logger.warning(
            "the %s link %r is not one Telegram keeps (it needs http(s) and a public host); "
            "posts show it as text: fix %s or the site's link",
            name,
            url,
            setting,
        )


def anchor(url: str, text: str) -> str:
    """A link Telegram will accept, or the escaped address when it would refuse the URL.

    Telegram rejects the whole message for one bad href, so a malformed
    article or channel URL must not cost the post.
    """
    if not accepts(url):
        return escape(url)
    return f'<a href="{escape(url)}">{escape(text)}</a>'
