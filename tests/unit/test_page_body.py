"""The body on pages laid out unlike the seed: where taking the element with most <p> text fails."""

from __future__ import annotations

from bot.adapters.sources.pages import extract_article

URL = "https://news.example/2025/03/story"
SENTENCES = [
    "The port of Aden closed at noon on Monday, officials said, as the storm approached.",
    "Ships were told to wait offshore, and dock workers were sent home before the rain.",
    "The governor said the closure would last two days, or longer if the wind did not drop.",
    "Traders warned that prices of flour and fuel, already high, would rise again this week.",
    "The weather office expects the storm to weaken by Wednesday, but floods remain likely.",
    "Fishermen in the old harbour pulled their boats ashore and tied them down for the night.",
]
NAV = "<nav><a href='/'>Home</a><a href='/world'>World</a><a href='/sport'>Sport</a></nav>"


def page(body: str) -> str:
    return (
        "<html><head><title>Storm closes the port | Daily</title></head><body>"
        f"{NAV}<h1>Storm closes the port</h1>{body}<footer><p>© Daily 2025</p></footer>"
        "</body></html>"
    )


def test_a_story_split_across_sibling_blocks_is_read_whole() -> None:
    blocks = "".join(
        f'<div class="section"><div class="inner"><p>{s}</p></div></div>' for s in SENTENCES
    )
    assert extract_article(page(f"<article>{blocks}</article>"), URL).body == tuple(SENTENCES)


def test_text_in_divs_and_br_lines_without_any_p_is_the_body() -> None:
    lines = "<br><br>".join(SENTENCES[:3])
    divs = "".join(f"<div>{s}</div>" for s in SENTENCES[3:])
    body = extract_article(page(f'<div class="story">{lines}{divs}</div>'), URL).body
    assert body == tuple(SENTENCES)


def test_a_comment_thread_with_more_paragraphs_than_the_story_is_left_out() -> None:
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    comments = "".join(
        f'<div class="comment"><p>Reader {n} wrote: I have lived here for years, and the '
        "storms keep getting worse, but nobody listens, and the drains are never cleaned.</p></div>"
        for n in range(12)
    )
    html = page(f'<div class="story">{story}</div><section id="comments">{comments}</section>')
    assert extract_article(html, URL).body == tuple(SENTENCES[:3])


def test_a_more_stories_teaser_list_is_left_out() -> None:
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    teasers = "".join(
        f'<li><a href="/s/{n}">Another story about the weather, number {n}, read it now</a>'
        f"<p>A short teaser, with a comma, for story {n}.</p></li>"
        for n in range(8)
    )
    html = page(f"<main><div>{story}</div><ul class='more-stories'>{teasers}</ul></main>")
    assert extract_article(html, URL).body == tuple(SENTENCES)


def test_a_page_listing_several_stories_gives_the_longest_not_all() -> None:
    first = "".join(f"<p>{s}</p>" for s in SENTENCES)
    second = "<p>Markets closed higher on Monday, with banks leading the gains.</p>"
    html = page(f"<div class='lead'>{first}</div><div class='brief'><h2>Markets</h2>{second}</div>")
    body = extract_article(html, URL).body
    assert body[: len(SENTENCES)] == tuple(SENTENCES)
    assert "Markets closed higher on Monday, with banks leading the gains." not in body


def test_a_japanese_story_outweighs_a_longer_latin_box_beside_it() -> None:
    # Han and kana carry a word's worth in a character: counted as Latin
    # letters, five short Japanese paragraphs lose to two long English ones
    # (an English-language edition's box beside the story).
    story = [
        "気象庁は十三日、午後九時ごろ、日向灘で震度五弱の地震があったと発表した。",
        "震源の深さは約三十キロ、地震の規模は六・九と推定される。",
        "この地震で、気象庁は高知県と宮崎県に津波注意報を出した。",
        "宮崎市では、停電や断水の被害は確認されていないという。",
        "政府は、首相官邸の危機管理センターに情報連絡室を設置した。",
    ]
    box = [
        "The port of Aden closed at noon on Monday as the storm approached the coast and "
        "ships were told to wait offshore until the wind dropped below gale force, officials "
        "said in a statement read out on the radio before the evening prayers.",
        "Traders warned that the prices of flour and fuel would rise again this week and the "
        "governor said that the closure would last two days or longer if the weather office "
        "did not lift its warning of floods in the low districts by Wednesday.",
    ]
    paragraphs = "".join(f"<p>{s}</p>" for s in story)
    english = "".join(f"<p>{s}</p>" for s in box)
    html = page(
        f"<div class='column'><div>{paragraphs}</div></div>"
        f"<div class='column'><div>{english}</div></div>"
    )
    assert extract_article(html, URL).body == tuple(story)


def test_text_hidden_by_framework_classes_is_not_the_body() -> None:
    # Screen-reader labels and a paywall pitch waiting for its script: the
    # reader sees neither, so neither is the story.
    hidden = (
        "<div class='visually-hidden'>Article content</div>"
        "<div class='premium hidden'><p>This content is reserved for subscribers, "
        "with unlimited digital access, newsletters, puzzles, and the daily ePaper.</p></div>"
        "<span class='sr-only'>Advertisement, story continues below</span>"
    )
    paragraphs = "".join(f"<p>{s}</p>{hidden}" for s in SENTENCES)
    body = extract_article(page(f"<article>{paragraphs}</article>"), URL).body
    assert body == tuple(SENTENCES)


def test_a_comment_list_is_furniture_even_when_its_grid_class_says_column() -> None:
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    comments = "".join(
        f"<li class='member column'><p>{s.replace('The', 'A reader: the')}</p></li>"
        for s in SENTENCES[3:]
    )
    html = page(
        f"<div class='columns'><div class='column is-8'>{story}</div>"
        f"<ul class='comments-list columns'>{comments}</ul></div>"
    )
    assert extract_article(html, URL).body == tuple(SENTENCES[:3])


def test_advertisement_labels_between_paragraphs_are_not_the_body() -> None:
    labels = [
        "Advertisement",
        "Advertisement 2",
        "REKLAM",
        "Anzeige",
        "إعلان",
        "Story continues below",
    ]
    story = [*SENTENCES[:5], "Advertisement revenue fell at the port's own paper, its editor said."]
    paragraphs = "".join(
        f"<p>{s}</p><div class='slot'>{label}</div>" for s, label in zip(story, labels, strict=True)
    )
    assert extract_article(page(f"<article>{paragraphs}</article>"), URL).body == tuple(story)
