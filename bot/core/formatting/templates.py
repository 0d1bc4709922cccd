"""Post templates: the shape of a post as an admin-editable string.

A template is text with named fields, one post element each::

    {label} {title} {summary} {hashtags} {link} {credit} {footer} {section} {reads} {author}

Telegram templates are Telegram HTML (fields arrive escaped, so markup around
them such as ``<b>{title}</b>`` is the template's own); X templates are plain
text. A line whose fields are all empty disappears, blank lines never pile up,
so one template serves posts with and without a label, tags or summary.
Templates are checked once, at start-up, by `validate_template`.

Right-to-left readability: clients pick each line's direction from its first
strong character. In an Arabic post, a line whose first strong character is
Latin ("Apple تطلق..."), or that has only digits and neutrals ("649"), would
be laid out left-to-right with its Arabic words shuffled, so it gets a
RIGHT-TO-LEFT MARK (U+200F) at its start. A hashtag whose first letter is
Latin gets a LEFT-TO-RIGHT MARK (U+200E) before its "#", or the "#" lands on
the wrong side of "Syria" in a right-to-left line. Lines whose first strong
character is Arabic ("2024 عام", "🔥 الأكثر قراءة"), and lines that are a bare
link, get nothing. No isolates (U+2066-2069): older Telegram clients and X's
counter treat them less predictably than the two marks. The marks are part
of the rendered text, so limits are checked with them included (Telegram
counts one per mark, X two). English posts get no marks: each line's own
first letter already gives it the direction it needs.

Telegram does not store every mark it is sent: in a run of LRMs and RLMs all
but the last become zero-width non-joiners (tdlib's
``replace_offending_characters``). A line that opens with a Latin hashtag
would be RLM, LRM, "#Syria": the RLM is lost and the line runs left to right.
On Telegram such a line opens with an ARABIC LETTER MARK (U+061C) instead,
which Telegram keeps and which sets the direction as an RLM does.

The rest of the module is what fills a template (`Parts`, `parts_for`) and
the order in which a too-long post gives way (`give_way`, `fit`), shared by
the Telegram and X formatters so both shrink the same way.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from bot.core.errors import ConfigError
from bot.core.model import Platform
from bot.core.text.summary import ELLIPSIS, cut_words
from bot.core.text.telegram_html import TelegramHTMLError, parse_html, stored_text

FIELDS = (
    "label",
    "title",
    "summary",
    "hashtags",
    "link",
    "credit",
    "footer",
    "section",
    "reads",
    "author",
)

RLM = "\u200f"
LRM = "\u200e"
ALM = "\u061c"

TELEGRAM_AR = """\
<b>{label}</b>
<b>{title}</b>

{summary}

{hashtags}

🔗 {link}
📰 {credit}

{footer}"""

TELEGRAM_EN = TELEGRAM_AR

X_AR = """\
{label}
{title}

{summary}

{hashtags}
{link}"""

X_EN = X_AR

_TAG = re.compile(r"<[^>]*>")
# What Telegram removes or replaces in a message (tdlib's clean_input_string):
# control characters but the newline, U+2028..U+202E and three combining marks.
_CLEANED = re.compile("[\x00-\x09\x0b-\x1f\u2028-\u202e\u030a\u0333\u033f]")
_MARK_RUN = re.compile("[\u200e\u200f]{2}")
_TRIMMED = " \t\r\n\v\f"


class TemplateError(ConfigError, ValueError):
    """A post template that would give posts Telegram or X refuse or miscount."""


_STRONG = frozenset({"L", "R", "AL"})
_BARE_LINK = re.compile(r"https?://\S+", re.IGNORECASE)


def default_template(platform: Platform | str, language: str) -> str:
    """The built-in template of a platform; both languages share a shape today.

    They are separate names so an editor can give English posts their own
    shape without touching the Arabic one.
    """
    kind = _platform(platform)
    if kind is Platform.X:
        return X_EN if language == "en" else X_AR
    return TELEGRAM_EN if language == "en" else TELEGRAM_AR


def validate_template(
    template: str, platform: Platform | str, *, setting: str | None = None
) -> None:
    """Refuse a template that could not render a valid post, with a message an admin can act on.

    Checked: balanced braces, only known field names, no conversions or
    format specs, a {link} on X (a tweet without the article's link is an
    ad for nothing), and for Telegram, under tdlib's own rules, with every
    field filled, every field empty and each one empty (an empty field drops
    its line, which must not take half a tag with it):

    * the markup is HTML Telegram accepts (attribute names are case-sensitive,
      a form feed is no space, an emoji id is a plain non-zero number);
    * every link in it is one Telegram keeps (no localhost, no ftp://);
    * no character Telegram would remove or replace (a tab, a line separator,
      two direction marks in a row);
    * no space or line break opens the post inside a tag (``<b> {title}</b>``):
      Telegram keeps it, so every post would be longer than its visible text,
      which is how posts are fitted.

    Args:
        template: The template text.
        platform: Telegram or X.
        setting: The name under which it was configured, for the message.

    Raises:
        TemplateError: A ConfigError (and ValueError) naming the setting, or
            the platform's template, and what is wrong.
    """
    kind = _platform(platform)
    try:
        _validate(template, kind)
    except TemplateError as exc:
        if setting is None:
            raise
        raise TemplateError(f"{setting}: {exc}") from None


def _validate(template: str, kind: Platform) -> None:
    name = kind.value
    if not template.strip():
        raise TemplateError(f"{name} template is empty")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(
            f"{name} template has unbalanced braces ({exc}); write {{{{ or }}}} for a literal brace"
        ) from exc
    used: set[str] = set()
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in FIELDS:
            known = ", ".join(f"{{{f}}}" for f in FIELDS)
            if not field_name:
                raise TemplateError(f"{name} template has an empty {{}}; name a field: {known}")
            raise TemplateError(
                f"{name} template uses unknown field {field_name!r}; known: {known}"
            )
        if spec or conversion:
            raise TemplateError(f"{name} template: field {{{field_name}}} takes no '!' or ':' part")
        used.add(field_name)
    if kind is Platform.X and "link" not in used:
        raise TemplateError(
            "x template must contain {link}: every tweet carries the article's link"
        )
    if kind is Platform.TELEGRAM:
        _check_no_field_in_a_tag(parsed)
        sample = {f: html.escape(f"sample {f}") for f in FIELDS}
        # {link} and {footer} arrive as anchors: they must still be links once stored
        sample["link"] = '<a href="https://example.com/">sample link</a>'
        sample["footer"] = 'sample: <a href="https://example.com/x">x</a>'
        cases = [("", sample), (" when every field is empty", dict.fromkeys(FIELDS, ""))]
        cases += [(f" when {{{f}}} is empty", {**sample, f: ""}) for f in FIELDS if f in used]
        for when, values in cases:
            try:
                parse_html(render(template, values))
            except TelegramHTMLError as exc:
                raise TemplateError(
                    f"telegram template is not HTML Telegram accepts{when}: {exc.description}"
                ) from exc
        _check_telegram_keeps_the_text(template, cases)


def _check_telegram_keeps_the_text(template: str, cases: list[tuple[str, dict[str, str]]]) -> None:
    """Refuse text Telegram would change, so that what is measured is what is counted."""
    shown = visible_template(template)
    literal = "".join(text for text, _, _, _ in string.Formatter().parse(shown))
    removed = _CLEANED.search(literal)
    if removed is not None:
        char = removed.group()
        raise TemplateError(
            f"telegram template contains U+{ord(char):04X} "
            f"({unicodedata.name(char, 'a control character')}), which Telegram removes "
            "or turns into a space; take it out"
        )
    if _MARK_RUN.search(literal):
        raise TemplateError(
            "telegram template has two direction marks in a row; Telegram keeps only the "
            "last (the others become U+200C), so keep one"
        )
    for when, values in cases:
        visible = {f: html.unescape(_TAG.sub("", v)) for f, v in values.items()}
        expected = len(render(shown, visible).strip(_TRIMMED))
        rendered = render(template, values)
        stored, entities = stored_text(rendered, allow_empty=True)
        links = sum(1 for e in entities if e.type == "text_link")
        if links != rendered.count("<a href="):
            raise TemplateError(
                f"telegram template loses a link{when}: Telegram drops a link inside "
                "<code> or <pre> (or a custom emoji); keep {link} and {footer} out of them"
            )
        if len(stored) != expected and stored[:1].isspace():
            raise TemplateError(
                f"telegram template gives posts of {len(stored)} characters where "
                f"{expected} are measured{when}: a space or line break at the start of a "
                "tag is kept by Telegram; put it before the tag"
            )


def _check_no_field_in_a_tag(parsed: list[tuple[str, str | None, str | None, str | None]]) -> None:
    """Refuse ``<a href="{link}">``: fields arrive as markup, which cannot sit inside a tag."""
    inside = False
    for literal, field_name, _, _ in parsed:
        for ch in literal:
            if ch == "<":
                inside = True
            elif ch == ">":
                inside = False
        if inside and field_name is not None:
            raise TemplateError(
                f"telegram template puts {{{field_name}}} inside a tag; fields are already "
                "marked up ({link} is a whole link), so write them between tags"
            )


def visible_template(template: str) -> str:
    """A Telegram template as a reader sees it: tags gone, entities decoded, fields kept.

    Rendering this with the visible values of the fields gives about what
    Telegram counts, without parsing HTML on every step of fitting a post; it
    never counts short by a leading space, since `validate_template` refuses
    one inside a tag. The final count is Telegram's own (`visible_length`).
    """
    out: list[str] = []
    for literal, field_name, _, _ in string.Formatter().parse(template):
        text = html.unescape(_TAG.sub("", literal))
        out.append(text.replace("{", "{{").replace("}", "}}"))
        if field_name is not None:
            out.append(f"{{{field_name}}}")
    return "".join(out)


def _platform(platform: Platform | str) -> Platform:
    try:
        kind = Platform(platform)
    except ValueError:
        raise ValueError(f"no post templates for platform {platform!r}") from None
    if kind not in (Platform.TELEGRAM, Platform.X):
        raise ValueError(f"no post templates for platform {kind.value!r}")
    return kind


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill `template` with `values`, dropping lines whose fields are all empty.

    Blank lines of the template separate blocks; runs of them collapse to
    one and none are left at either end, whatever was dropped in between.
    """
    formatter = string.Formatter()
    lines: list[str] = []
    for line in template.split("\n"):
        names = [f for _, f, _, _ in formatter.parse(line) if f is not None]
        if names and not any(values.get(n, "").strip() for n in names):
            continue
        rendered = formatter.vformat(line, (), _Defaulting(values)).rstrip()
        if not rendered and (not lines or not lines[-1]):
            continue
        lines.append(rendered)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


class _Defaulting(dict[str, str]):
    """Missing fields render empty, so a caller may pass only what it has."""

    def __missing__(self, key: str) -> str:
        return ""


def first_strong_direction(text: str) -> str | None:
    """Bidi class ("L", "R" or "AL") of the first strong character, if any."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _STRONG:
            return kind
    return None


def needs_rlm(visible_line: str) -> bool:
    """Whether an Arabic post's line would be laid out left-to-right without a mark.

    True when the line's first strong character is Latin, or when it has no
    strong character but a number (digits alone lean left-to-right). A line
    that is only a link is left alone: the mark would not change how it
    reads, and on X it would cost two characters.
    """
    stripped = visible_line.strip()
    if _BARE_LINK.fullmatch(stripped):
        return False  # a bare link reads left-to-right whatever the line's direction
    direction = first_strong_direction(visible_line)
    if direction is not None:
        return direction == "L"
    return any(ch.isdigit() for ch in visible_line)


def mark_rtl_lines(text: str, *, markup: bool, telegram: bool = False) -> str:
    """Prefix an RLM to each line of an Arabic post that needs one (see module doc).

    With `markup`, tags are skipped and entities decoded to find what a
    reader sees; the mark goes before any tag so it adds no entity. With
    `telegram`, a line that opens with a direction mark (a Latin hashtag's
    LRM) gets an ALM instead, since Telegram would turn the RLM into a ZWNJ.
    """
    out: list[str] = []
    for line in text.split("\n"):
        visible = html.unescape(_TAG.sub("", line)) if markup else line
        if visible.strip() and not visible.startswith((RLM, ALM)) and needs_rlm(visible):
            opens_with_mark = visible.startswith((LRM, RLM))
            line = (ALM if telegram and opens_with_mark else RLM) + line
        out.append(line)
    return "\n".join(out)


def mark_hashtag(tag: str) -> str:
    """An LRM before a Latin hashtag keeps its "#" on the left in a right-to-left line."""
    return LRM + tag if first_strong_direction(tag) == "L" else tag


@dataclass(frozen=True, slots=True)
class Parts:
    """The plain-text contents of a post's fields, before a platform dresses them.

    Formatters render these through a template and, when the result is too
    long, ask `give_way` for a smaller set, so both platforms lose the same
    things in the same order.
    """

    title: str
    link: str
    label: str = ""
    summary: str = ""
    hashtags: tuple[str, ...] = ()
    credit: str = ""
    footer: tuple[tuple[str, str], ...] = ()
    section: str = ""
    reads: str = ""
    author: str = ""


def give_way(
    parts: Parts,
    overflow: int,
    *,
    measure: Callable[[str], int],
    shorter_summary: Callable[[int], str],
) -> Parts | None:
    """Take one step towards fitting, or return None when nothing is left to give.

    The order is the editor's: the summary shrinks (to whole sentences, then
    words) and goes; then hashtags from the last (the least relevant, and the
    section tag sits last); then the footer, credit, section, read count and author;
    then the headline is cut on a word boundary with "…". A label is dropped
    only when even one word of the headline does not fit beside it, and a
    headline that is one enormous word is cut inside it as the last resort.
    The link is never touched.

    Args:
        parts: The post's contents now.
        overflow: How far over the limit the rendered post is.
        measure: The platform's length of a piece of text.
        shorter_summary: Builds a summary that fits the given budget.
    """
    if parts.summary:
        budget = measure(parts.summary) - overflow
        summary = shorter_summary(budget) if budget > 0 else ""
        if summary and measure(summary) >= measure(parts.summary):
            summary = ""
        return replace(parts, summary=summary)
    if parts.hashtags:
        return replace(parts, hashtags=parts.hashtags[:-1])
    for name in ("footer", "credit", "section", "reads", "author"):
        if getattr(parts, name):
            return replace(parts, **{name: type(getattr(parts, name))()})
    if parts.title:
        title = cut_words(parts.title, measure(parts.title) - overflow, measure=measure)
        if title:
            return replace(parts, title=title)
        if parts.label:
            return replace(parts, label="")
        return replace(parts, title=hard_cut(parts.title, overflow, measure))
    if parts.label:
        return replace(parts, label="")
    return None


def hard_cut(text: str, overflow: int, measure: Callable[[str], int]) -> str:
    """Cut inside a word, for a headline that is one word longer than the post allows."""
    target = measure(text) - overflow
    keep = len(text)
    while keep > 0:
        cut = text[:keep]
        while cut and unicodedata.category(cut[-1]) in {"Mn", "Me", "Cf", "Cs"}:
            cut = cut[:-1]  # a mark or joiner left dangling would garble the last letter
        candidate = cut + ELLIPSIS if cut else ""
        excess = measure(candidate) - target
        if excess <= 0:
            return candidate
        keep = min(len(cut), keep) - max(1, excess // 2)
    return ""


def fit(
    parts: Parts,
    overflow: Callable[[Parts], int],
    *,
    measure: Callable[[str], int],
    shorter_summary: Callable[[int], str],
) -> Parts:
    """Give way (see `give_way`) until `overflow` says the rendered post fits."""
    while (over := overflow(parts)) > 0:
        smaller = give_way(parts, over, measure=measure, shorter_summary=shorter_summary)
        if smaller is None:
            break
        parts = smaller
    return parts
