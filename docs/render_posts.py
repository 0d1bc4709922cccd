"""Render the demo's first post as it looks in Telegram and on X: docs/post-*.png.

The posts are made by Nashir's own code path for `nashir preview`: the demo
site is served locally, its first article page is read by the extractor,
and `bot.preview.render_posts` formats it for each platform with the
default settings. Each post is then laid out in a small HTML page styled
like the app (a channel post with its photo, caption and button; a post on
X) and photographed with headless Chromium.

Re-run after a change to formatting or templates, and commit the images:

    apt-get install -y chromium fonts-noto-core fonts-noto-color-emoji
    .venv/bin/python docs/render_posts.py

CI never runs this. The demo site's pictures are placeholders, so the photo
is drawn as a coloured panel; the local address of the demo site is shown as
`marsad.example`, the demo site's stand-in domain.
"""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.model import Post  # noqa: E402
from bot.preview import read_draft, render_posts  # noqa: E402
from bot.sandbox import ServerThread  # noqa: E402
from bot.sandbox.demo_site import DemoSite  # noqa: E402
from bot.settings import load_settings  # noqa: E402

DOCS = ROOT / "docs"
DOMAIN = "https://marsad.example"
CHANNEL = "marsad_demo"
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
  <div class="photo">{section}</div>
  <div class="head">{title}</div>
  <div class="text">{text}</div>
  <div class="meta">👁 1.8K &nbsp; 10:15</div>
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
  <div class="who"><div class="avatar">م</div>
    <div><div class="name">{title}</div><div class="handle">@{channel}</div></div></div>
  <div class="text">{text}</div>
  <div class="card"><div class="photo"></div><div class="domain">{domain}</div></div>
  <div class="when">10:15 ص · 2 مارس 2025 · <b>1,842</b> مشاهدة</div>
  <div class="actions"><span>💬 12</span><span>🔁 48</span><span>♡ 230</span><span>📊 1.8K</span>
  </div>
</div></body></html>
"""

X_ENTITY = re.compile(r"(https?://\S+|[#@][\w\u0600-\u06FF_]+)")
# Telegram shows hashtags as links; in the post's HTML they sit in plain text.
HASHTAG = re.compile(r"(^|[\s>])(#[\w\u0600-\u06FF_]+)", re.MULTILINE)


async def demo_posts() -> tuple[Post, Post, str]:
    """The demo's first article, read from the served demo site and formatted."""
    site = DemoSite(channel=CHANNEL, x_handle=CHANNEL)
    article = site.publish_next()
    assert article is not None
    with ServerThread(site.app()) as server:
        settings = load_settings({"NASHIR_ALLOW_PRIVATE_URLS": "true"}, env_file=None)
        draft = await read_draft(settings, f"{server.url}{article.path}")
        telegram, x = render_posts(settings, draft, "all")
        origin = server.url
    return _rehome(telegram, origin), _rehome(x, origin), draft.section or ""


def _rehome(post: Post, origin: str) -> Post:
    """The same post with the demo site's local address replaced by its stand-in domain."""
    from dataclasses import replace

    return replace(
        post,
        text=post.text.replace(origin, DOMAIN),
        button_url=(post.button_url or "").replace(origin, DOMAIN) or None,
    )


def telegram_page(post: Post, section: str, site_name: str) -> str:
    """A Telegram channel post: photo, caption (the post's own HTML) and its button."""
    label = html.escape(post.button_text or "")
    button = f'<div class="button">{label}</div>' if label else ""
    return TELEGRAM_PAGE.format(
        width=WIDTH,
        fonts=FONTS,
        emoji=EMOJI,
        section=html.escape(section),
        title=html.escape(site_name),
        text=HASHTAG.sub(r'\1<a href="#">\2</a>', post.text.strip()),  # Telegram HTML is HTML
        button=button,
    )


def x_page(post: Post, site_name: str) -> str:
    """A post on X: plain text with links, hashtags and mentions coloured."""
    parts = X_ENTITY.split(post.text.strip())
    text = "".join(
        f'<span class="link{" url" if part.startswith("http") else ""}">'
        f"{html.escape(_display(part))}</span>"
        if X_ENTITY.fullmatch(part)
        else html.escape(part)
        for part in parts
    )
    return X_PAGE.format(
        width=WIDTH,
        fonts=FONTS,
        emoji=EMOJI,
        title=html.escape(site_name),
        channel=CHANNEL,
        text=text,
        domain=DOMAIN.split("://", 1)[1],
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
    """Render both pictures into docs/."""
    telegram, x, section = asyncio.run(demo_posts())
    site_name = DemoSite().site_name
    screenshot(telegram_page(telegram, section, site_name), DOCS / "post-telegram.png")
    screenshot(x_page(x, site_name), DOCS / "post-x.png")


if __name__ == "__main__":
    main()
