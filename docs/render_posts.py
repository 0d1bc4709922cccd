"""Draw the posts `make demo` sent, as they look in Telegram and on X: docs/post-*.png.

The pictures show the demo's own posts. This script runs `nashir demo` (what
`make demo` runs) with `--save-posts`, which keeps the messages exactly as the
fake Bot API and the fake X API stored them, then lays out the first story in
a small HTML page styled like each app and photographs it with headless
Chromium. The Telegram caption is drawn from the stored text and its
entities (bold, links, hashtags), the button from the stored keyboard, the
times from the messages' own dates; nothing is counted that the demo did not
produce, so there are no view, like or repost counters.

Re-run after a change to formatting or templates, and commit the images:

    apt-get install -y chromium fonts-noto-core fonts-noto-color-emoji
    .venv/bin/python docs/render_posts.py            # runs the demo (about 30 s)
    .venv/bin/python docs/render_posts.py posts.json # or draws a saved run

CI never runs this. The demo site's pictures are placeholders, so the photo
is drawn as a coloured panel, and the demo site's local address
(http://127.0.0.1:PORT) is shown as `marsad.example`, its stand-in domain.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.text.telegram_entities import utf16_length  # noqa: E402

DOCS = ROOT / "docs"
DOMAIN = "https://marsad.example"
LOCAL = re.compile(r"http://127\.0\.0\.1:\d+")
ZONE = ZoneInfo("Asia/Aden")  # the demo's (default) newsroom time zone
WIDTH = 520

FONTS = "'Noto Sans Arabic', 'Noto Naskh Arabic', 'DejaVu Sans', sans-serif"
EMOJI = "'Noto Color Emoji'"

TELEGRAM_PAGE = """<!doctype html>
<html lang="ar"><head><meta charset="utf-8"><style>
body {{ margin: 0; width: {width}px; font-family: {fonts}, {emoji};
  background: linear-gradient(160deg, #b5d39a 0%, #8dbd8b 45%, #d5d88f 100%); }}
.wrap {{ padding: 18px 16px 22px; }}
.bubble {{ background: #fff; border-radius: 14px; overflow: hidden;
  box-shadow: 0 1px 2px rgba(0,0,0,.18); }}
.photo {{ height: 250px; display: flex; align-items: flex-end; justify-content: flex-end;
  padding: 14px; box-sizing: border-box; color: rgba(255,255,255,.92); font-size: 15px;
  background: radial-gradient(circle at 25% 30%, #f7d794 0 9%, transparent 10%),
    linear-gradient(180deg, #3c6382 0%, #60a3bc 55%, #b8e994 56%, #78e08f 100%); }}
.head {{ padding: 10px 14px 0; color: #3a8fd6; font-weight: 700; font-size: 15px; }}
.text {{ direction: rtl; text-align: right; white-space: pre-wrap; padding: 6px 14px 2px;
  font-size: 15.5px; line-height: 1.5; color: #000; }}
.text a {{ color: #168acd; text-decoration: none; }}
.text blockquote {{ margin: 4px 0; padding: 2px 10px; border-right: 3px solid #3a8fd6;
  background: #eef6fd; border-radius: 4px; }}
.meta {{ text-align: left; color: #a0acb6; font-size: 12.5px; padding: 0 12px 8px; }}
.button {{ margin-top: 6px; background: rgba(0,0,0,.22); color: #fff; text-align: center;
  border-radius: 10px; padding: 10px; font-size: 15px; font-weight: 600; }}
</style></head><body><div class="wrap">
<div class="bubble">
  <div class="photo"></div>
  <div class="head">{title}</div>
  <div class="text">{text}</div>
  <div class="meta">{time}</div>
</div>
{button}
</div></body></html>
"""

X_PAGE = """<!doctype html>
<html lang="ar"><head><meta charset="utf-8"><style>
body {{ margin: 0; width: {width}px; background: #fff; font-family: {fonts}, {emoji};
  color: #0f1419; }}
.post {{ padding: 14px 16px 10px; border-bottom: 1px solid #eff3f4; }}
.who {{ display: flex; align-items: center; gap: 10px; direction: rtl; }}
.avatar {{ width: 44px; height: 44px; border-radius: 50%;
  background: linear-gradient(135deg, #1d9bf0, #0b5394); color: #fff; font-weight: 700;
  display: flex; align-items: center; justify-content: center; font-size: 20px; }}
.name {{ font-weight: 700; font-size: 15px; }}
.handle {{ color: #536471; font-size: 14px; direction: ltr; text-align: right; }}
.text {{ direction: rtl; text-align: right; white-space: pre-wrap; font-size: 16px;
  line-height: 1.45; margin: 10px 0; overflow-wrap: anywhere; }}
.text .link {{ color: #1d9bf0; }}
.text .url {{ direction: ltr; unicode-bidi: isolate; }}
.card {{ border: 1px solid #cfd9de; border-radius: 16px; overflow: hidden; }}
.card .photo {{ height: 230px; background:
    radial-gradient(circle at 25% 30%, #f7d794 0 9%, transparent 10%),
    linear-gradient(180deg, #3c6382 0%, #60a3bc 55%, #b8e994 56%, #78e08f 100%); }}
.card .domain {{ color: #536471; font-size: 13px; padding: 8px 12px; direction: ltr; }}
.when {{ color: #536471; font-size: 14px; margin: 10px 0; direction: rtl; text-align: right; }}
.actions {{ display: flex; justify-content: space-around; color: #536471; font-size: 14px;
  border-top: 1px solid #eff3f4; padding-top: 10px; }}
</style></head><body><div class="post">
  <div class="who"><div class="avatar">{initial}</div>
    <div><div class="name">{title}</div><div class="handle">@{channel}</div></div></div>
  <div class="text">{text}</div>
  <div class="card"><div class="photo"></div><div class="domain">{domain}</div></div>
  <div class="when">{when}</div>
  <div class="actions"><span>💬</span><span>🔁</span><span>♡</span><span>📊</span></div>
</div></body></html>
"""

X_ENTITY = re.compile(r"(https?://\S+|[#@][\w\u0600-\u06FF_]+)")
TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "hashtag": ('<a href="#">', "</a>"),
    "mention": ('<a href="#">', "</a>"),
    "url": ('<a href="#">', "</a>"),
    "text_link": ('<a href="#">', "</a>"),
}
AR_MONTHS = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]


def saved_posts(source: Path | None) -> dict[str, Any]:
    """The posts of one demo run: read from `source`, or from a fresh `nashir demo`."""
    if source is not None:
        return dict(json.loads(source.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "posts.json"
        nashir = Path(sys.executable).with_name("nashir")
        subprocess.run([str(nashir), "demo", "--save-posts", str(target)], check=True)
        return dict(json.loads(target.read_text(encoding="utf-8")))


def first_story(posts: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The demo's first Telegram post and the post on X of the same article."""
    message = posts["telegram"][0]
    link = message["reply_markup"]["inline_keyboard"][0][0]["url"]
    article = link.split("?", 1)[0]
    tweet = next(t for t in posts["x"] if article in t["text"])
    return message, tweet


def caption_html(text: str, entities: list[dict[str, Any]]) -> str:
    """Telegram's stored text and entities (UTF-16 offsets) as HTML for the picture."""
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        tags = TAGS.get(entity["type"])
        if tags is None:
            continue
        opens.setdefault(entity["offset"], []).append(tags[0])
        closes.setdefault(entity["offset"] + entity["length"], []).insert(0, tags[1])
    out: list[str] = []
    units = 0
    for char in text:
        out += closes.pop(units, [])
        out += opens.pop(units, [])
        out.append(html.escape(char))
        units += utf16_length(char)
    out += closes.pop(units, [])
    return "".join(out)


def clock(timestamp: float) -> datetime:
    """A message's date in the newsroom's time zone."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(ZONE)


def telegram_page(message: dict[str, Any]) -> str:
    """A Telegram channel post: photo, caption and button, as the fake stored them."""
    text = message.get("caption") or message.get("text") or ""
    entities = message.get("caption_entities") or message.get("entities") or []
    buttons = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    label = html.escape(buttons[0][0]["text"]) if buttons else ""
    return TELEGRAM_PAGE.format(
        width=WIDTH,
        fonts=FONTS,
        emoji=EMOJI,
        title=html.escape(message["chat"]["title"]),
        text=caption_html(text, entities),
        time=f"{clock(message['date']):%H:%M}",
        button=f'<div class="button">{label}</div>' if label else "",
    )


def x_page(tweet: dict[str, Any], name: str, handle: str) -> str:
    """A post on X: its text with links, hashtags and mentions coloured."""
    parts = X_ENTITY.split(LOCAL.sub(DOMAIN, tweet["text"].strip()))
    text = "".join(
        f'<span class="link{" url" if part.startswith("http") else ""}">'
        f"{html.escape(_display(part))}</span>"
        if X_ENTITY.fullmatch(part)
        else html.escape(part)
        for part in parts
    )
    when = clock(tweet["created_at"])
    hour = when.strftime("%I:%M").lstrip("0")
    noon = "ص" if when.hour < 12 else "م"
    return X_PAGE.format(
        width=WIDTH,
        fonts=FONTS,
        emoji=EMOJI,
        title=html.escape(name),
        initial=html.escape(name[:1]),
        channel=html.escape(handle),
        text=text,
        domain=DOMAIN.split("://", 1)[1],
        when=f"{hour} {noon} · {when.day} {AR_MONTHS[when.month - 1]} {when.year}",
    )


def _display(token: str) -> str:
    """Links as X shows them: no scheme, cut after 23 characters."""
    if not token.startswith("http"):
        return token
    shown = token.split("://", 1)[1]
    return shown if len(shown) <= 23 else shown[:23] + "…"


def screenshot(page: str, target: Path) -> None:
    """Photograph `page` with headless Chromium at twice the pixel density, cut to its height."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("Chromium is missing: apt-get install -y chromium")
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    with tempfile.TemporaryDirectory() as folder:
        measured = Path(folder) / "measure.html"
        measured.write_text(
            page.replace(
                "</body>",
                "<script>document.title = Math.ceil(document.body.firstElementChild"
                ".getBoundingClientRect().bottom)</script></body>",
            ),
            encoding="utf-8",
        )
        dom = subprocess.run(
            [browser, *flags, f"--window-size={WIDTH},2000", "--dump-dom", measured.as_uri()],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found = re.search(r"<title>(\d+)</title>", dom)
        height = int(found.group(1)) if found else 900
        source = Path(folder) / "page.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                browser,
                *flags,
                "--force-device-scale-factor=2",
                f"--window-size={WIDTH},{height}",
                f"--screenshot={target}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"wrote {target.relative_to(ROOT)} ({WIDTH}x{height} CSS pixels)")


def main() -> None:
    """Render both pictures into docs/ from a demo run (or a saved one given as argument)."""
    posts = saved_posts(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    message, tweet = first_story(posts)
    screenshot(telegram_page(message), DOCS / "post-telegram.png")
    screenshot(x_page(tweet, posts["title"], posts["channel"]), DOCS / "post-x.png")


if __name__ == "__main__":
    main()
