"""Admin commands end to end, and what anyone else gets when they try them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from handlers_kit import (
    ADMIN,
    Harness,
    backends,
    button_data,
    database,
    draft,
    fresh_fake,
    running_app,
)

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.audit import AuditRepository
from bot.adapters.storage.pause_flag import SqlPauseFlag
from bot.adapters.storage.sources import SourceRepository
from bot.services.control import is_paused
from sandbox import ServerThread, wait_until_async
from sandbox.demo_site import DemoSite
from scheduler.setup import install_jobs

pytestmark = pytest.mark.asyncio(loop_scope="module")

INTRUDER = 3666
UNKNOWN = "لا أعرف هذا الأمر. أرسل /help لقائمة الأوامر."


@pytest.fixture(scope="module", params=backends())
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(request.param, Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[DemoSite, str]]:
    demo = DemoSite(channel="yemen_news", x_handle="YemenNewsX")
    demo.publish_next()
    demo.publish_next()
    with ServerThread(demo.app()) as server:
        yield demo, server.url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(db_url: str, site: tuple[DemoSite, str]) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(db_url, server.url, fake):
            await harness.store(draft("one", "خبر للتجربة", tags=("اليمن",), reads=5))
            yield harness


async def _audit(bot: Harness, user_id: int) -> list[tuple[str, bool]]:
    async with bot.app.db.session() as session:
        entries = await AuditRepository(session).recent(50)
    return [(e.action, e.allowed) for e in entries if e.user_id == user_id]


@pytest.mark.parametrize(
    "command",
    [
        "/stats",
        "/pause",
        "/skip 1",
        "/broadcast hello",
        "/addsource https://a.example/rss",
        "/audit",
    ],
)
async def test_a_non_admin_gets_the_unknown_command_reply_changes_nothing_and_is_audited(
    bot: Harness, command: str
) -> None:
    [unknown] = await bot.send(INTRUDER, "/no_such_command")
    [reply] = await bot.send(INTRUDER, command)
    assert reply["text"] == unknown["text"] == UNKNOWN
    assert (command.split()[0][1:], False) in await _audit(bot, INTRUDER)
    assert not await is_paused(SqlPauseFlag(bot.app.db))
    async with bot.app.db.session() as session:
        assert not await ArticleRepository(session).is_skipped(1)
        assert [s.url for s in await SourceRepository(session).all()] == []


async def test_an_english_intruder_gets_the_english_unknown_command_reply(bot: Harness) -> None:
    [reply] = await bot.send(INTRUDER + 1, "/stats", language="en")
    assert reply["text"] == "I don't know that command. Send /help for the list."


async def test_stats_shows_subscribers_queue_failures_and_sources(bot: Harness) -> None:
    await bot.send(3001, "/start")
    [reply, chart] = await bot.send(ADMIN, "/stats", count=2)
    assert reply["text"].startswith("📊 الإحصاءات")
    assert "المشتركون: 1 نشط، 0 حظروا البوت" in reply["text"]
    assert "النشر: يعمل ▶️" in reply["text"]
    assert chart["photo"]
    assert chart["caption"].startswith("📈 آخر 24 ساعة: 0 منشور.")
    [english, _] = await bot.send(ADMIN, "/stats", language="en", count=2)
    assert english["text"].startswith("📊 Stats\nSubscribers: 1 active, 0 blocked the bot")
    [extra] = await bot.send(ADMIN, "/stats now")
    assert extra["text"] == "تعذّر ذلك: /stats takes no arguments"


async def test_pause_and_resume_switch_posting(bot: Harness) -> None:
    [paused] = await bot.send(ADMIN, "/pause")
    assert paused["text"].startswith("⏸")
    assert await is_paused(SqlPauseFlag(bot.app.db))
    [resumed] = await bot.send(ADMIN, "/resume")
    assert resumed["text"].startswith("▶️")
    assert not await is_paused(SqlPauseFlag(bot.app.db))
    assert ("pause", True) in await _audit(bot, ADMIN)


async def test_post_reads_a_url_and_posts_it_now(bot: Harness, site: tuple[DemoSite, str]) -> None:
    demo, url = site
    article = demo.published()[0]
    [reply] = await bot.send(ADMIN, f"/post {url}{article.path}")
    assert reply["text"].startswith(f"تمت جدولة «{article.title}»")
    await bot.deliver()
    posts = bot.fake.messages("@yemen_news")
    assert any(article.title in (p.get("caption") or p.get("text") or "") for p in posts)
    [usage] = await bot.send(ADMIN, "/post")
    assert usage["text"] == "تعذّر ذلك: /post <url>"
    [bad] = await bot.send(ADMIN, "/post ftp://example.com/a")
    assert bad["text"].startswith("تعذّر ذلك: scheme ftp: is not allowed")


async def test_preview_shows_the_exact_post_per_platform_without_posting(
    bot: Harness, site: tuple[DemoSite, str]
) -> None:
    demo, url = site
    article = demo.published()[1]
    before = len(bot.fake.messages("@yemen_news"))
    telegram, x = await bot.send(ADMIN, f"/preview {url}{article.path}", count=2)
    assert telegram["text"].startswith("معاينة Telegram")
    assert article.title in telegram["text"]
    assert x["text"].startswith("معاينة X (")
    assert "/280)" in x["text"].splitlines()[0]
    assert len(bot.fake.messages("@yemen_news")) == before


async def test_skip_marks_an_article_never_to_post_and_refuses_bad_references(bot: Harness) -> None:
    article_id = await bot.store(draft("skip-me", "خبر لن ينشر"))
    [reply] = await bot.send(ADMIN, f"/skip {article_id}")
    assert reply["text"] == f"لن يُنشر الخبر {article_id} «خبر لن ينشر»."
    async with bot.app.db.session() as session:
        assert await ArticleRepository(session).is_skipped(article_id)
    [missing] = await bot.send(ADMIN, "/skip 99999")
    assert missing["text"] == "تعذّر ذلك: لا يوجد خبر بهذا الرقم أو الرابط"
    [words] = await bot.send(ADMIN, "/skip some words")
    assert words["text"] == "تعذّر ذلك: /skip <article id or url>"
    [unknown] = await bot.send(ADMIN, "/delete 99999")
    assert unknown["text"] == "تعذّر ذلك: لا يوجد خبر بهذا الرقم أو الرابط"


async def test_sources_add_preview_and_remove(bot: Harness, site: tuple[DemoSite, str]) -> None:
    _, url = site
    [empty] = await bot.send(ADMIN, "/sources")
    assert empty["text"] == "لا توجد مصادر."
    [added] = await bot.send(ADMIN, f"/addsource {url}/rss.xml")
    assert added["text"].startswith(f"المصدر {url}/rss.xml: feed، عنصران.")
    assert "✅ أضيف المصدر رقم" in added["text"]
    [listing] = await bot.send(ADMIN, "/sources")
    assert f"{url}/rss.xml" in listing["text"]
    for bad in ("ftp://example.com/feed", "file:///etc/passwd", "not-a-url"):
        [refused] = await bot.send(ADMIN, f"/addsource {bad}")
        assert refused["text"].startswith("تعذّر ذلك:")
    [not_feed] = await bot.send(ADMIN, f"/addsource {url}/images/1.jpg")
    assert not_feed["text"].startswith("تعذّر ذلك:")
    [removed] = await bot.send(ADMIN, f"/removesource {url}/rss.xml")
    assert removed["text"] == f"حُذف المصدر {url}/rss.xml."
    [gone] = await bot.send(ADMIN, f"/removesource {url}/rss.xml")
    assert gone["text"] == "تعذّر ذلك: لا يوجد مصدر بهذا الرابط"
    assert await bot.app.sources() == []


async def test_broadcast_asks_for_confirmation_then_goes_through_the_delivery_engine(
    bot: Harness,
) -> None:
    await bot.send(3002, "/start")
    await bot.send(3003, "/start", language="en")
    [ask] = await bot.send(ADMIN, "/broadcast صيانة الموقع الليلة\nشكراً لكم")
    assert ask["text"].startswith("سيصل هذا النص إلى ")
    assert "صيانة الموقع الليلة\nشكراً لكم" in ask["text"]
    send, _cancel = button_data(ask)
    refused = await bot.press(INTRUDER, ask, send)
    assert refused["text"] == "انتهت صلاحية هذا الزر."
    edits = len(bot.fake.calls_to("editMessageText"))
    answer = await bot.press(ADMIN, ask, send)
    assert answer.get("text") is None
    await wait_until_async(lambda: len(bot.fake.calls_to("editMessageText")) > edits)
    assert bot.replies(ADMIN)[-1]["text"].startswith("📣 أُرسل إلى الطابور لـ")
    await bot.deliver()
    for user in (3002, 3003):
        assert bot.replies(user)[-1]["text"] == "صيانة الموقع الليلة\nشكراً لكم"
    again = await bot.press(ADMIN, ask, send)
    assert again["text"] == "انتهت صلاحية هذا الزر."
    await bot.deliver()
    assert [m["text"] for m in bot.replies(3002)].count("صيانة الموقع الليلة\nشكراً لكم") == 1
    [usage] = await bot.send(ADMIN, "/broadcast")
    assert usage["text"] == "تعذّر ذلك: /broadcast <text>"
    [long] = await bot.send(ADMIN, "/broadcast " + "ن" * 10_000)
    assert long["text"] == "النص طويل جداً (الحد 3500 حرف)."


async def test_a_cancelled_broadcast_sends_nothing(bot: Harness) -> None:
    await bot.send(3004, "/start")
    before = len(bot.replies(3004))
    [ask] = await bot.send(ADMIN, "/broadcast لن يرسل")
    _send, cancel = button_data(ask)
    edits = len(bot.fake.calls_to("editMessageText"))
    await bot.press(ADMIN, ask, cancel)
    await wait_until_async(lambda: len(bot.fake.calls_to("editMessageText")) > edits)
    assert bot.replies(ADMIN)[-1]["text"] == "أُلغي البث."
    await bot.deliver()
    assert len(bot.replies(3004)) == before


async def test_schedule_and_audit(bot: Harness) -> None:
    [schedule] = await bot.send(ADMIN, "/schedule")
    assert schedule["text"] == "المجدول لا يعمل."
    [audit] = await bot.send(ADMIN, "/audit 3")
    lines = audit["text"].splitlines()
    assert lines[0] == "سجل التدقيق:"
    assert len(lines) == 4
    assert "audit" in lines[1]
    [bad] = await bot.send(ADMIN, "/audit 0")
    assert bad["text"] == "تعذّر ذلك: /audit [1-50]"


async def test_schedule_lists_the_running_jobs_with_their_next_run(bot: Harness) -> None:
    scheduler = bot.app.scheduler
    install_jobs(scheduler, bot.app.jobs, bot.app.schedule, await bot.app.sources())
    scheduler.start(paused=True)  # the jobs and their times, none of them running here
    try:
        [reply] = await bot.send(ADMIN, "/schedule")
    finally:
        scheduler.shutdown(wait=False)
    lines = reply["text"].splitlines()
    assert lines[0] == "المهام المجدولة:"
    jobs = {line.split(" — ")[0] for line in lines[1:]}
    assert {"• deliver due posts", "• leader lock", "• read counters and trending"} <= jobs
    assert all(re.search(r" — التالية: \d{4}-\d\d-\d\d \d\d:\d\d", line) for line in lines[1:])


async def test_a_failing_handler_apologises_and_repeats_alert_the_admins(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stats table unreadable")

    assert bot.app.telegram is not None
    services = bot.app.telegram.bot_data["services"]
    monkeypatch.setattr(services.admin, "stats", broken)  # a bug of ours, not a library call
    replies = [(await bot.send(ADMIN, "/stats"))[0]["text"] for _ in range(3)]
    assert replies == ["عذراً، حدث خطأ غير متوقع. حاول مرة أخرى بعد قليل."] * 3
    assert "Traceback" not in " ".join(replies)
    failures = [r for r in caplog.records if r.getMessage().startswith("handler failed")]
    assert failures
    assert "RuntimeError: stats table unreadable" in (failures[0].exc_text or "")
    await wait_until_async(
        lambda: any("3 handler failures" in m.get("text", "") for m in bot.replies(ADMIN)),
        timeout=10,
    )
    monkeypatch.undo()
    [stats, _] = await bot.send(ADMIN, "/stats", count=2)
    assert "عذراً" not in stats["text"]


async def test_menus_in_arabic_and_english_with_admin_commands_only_for_admins(
    bot: Harness,
) -> None:
    private = {"type": "all_private_chats"}
    everyone = {c["command"] for c in bot.fake.commands(private)}
    assert {"search", "settings", "privacy"} <= everyone
    assert "stats" not in everyone
    assert bot.fake.commands() == []  # groups see no menu: the commands answer in private only
    english = bot.fake.commands(private, language_code="en")
    assert {"command": "search", "description": "Search the news"} in english
    arabic = bot.fake.commands(private, language_code="ar")
    assert {"command": "search", "description": "ابحث في الأخبار"} in arabic
    admin_scope = {"type": "chat", "chat_id": ADMIN}
    mine = {c["command"] for c in bot.fake.commands(admin_scope, "en")}
    assert {"stats", "broadcast", "search"} <= mine


async def test_delete_removes_a_posted_article_from_the_channel(bot: Harness) -> None:
    article_id = await bot.store(draft("delete-me", "خبر سيحذف من القناة"), announce=True)
    await bot.deliver()
    channel_texts = [
        m.get("caption") or m.get("text") or "" for m in bot.fake.messages("@yemen_news")
    ]
    assert any("خبر سيحذف من القناة" in text for text in channel_texts)

    [reply] = await bot.send(ADMIN, f"/delete {article_id}")

    assert str(article_id) in reply["text"]
    remaining = [m.get("caption") or m.get("text") or "" for m in bot.fake.messages("@yemen_news")]
    assert not any("خبر سيحذف من القناة" in text for text in remaining)
    assert bot.fake.calls_to("deleteMessage")


async def test_stats_draws_the_last_day_as_a_picture_with_its_numbers(bot: Harness) -> None:
    [_, before] = await bot.send(ADMIN, "/stats", language="en", count=2)
    await bot.store(draft("chart", "خبر للرسم البياني"), announce=True)
    await bot.deliver()

    [_, chart] = await bot.send(ADMIN, "/stats", language="en", count=2)

    shape = r"📈 Last 24 hours: (\d+) posts?\. Wait from queued to sent: median \d+ s, 90% within"
    sent_before = int(re.match(shape, before["caption"])[1])  # type: ignore[index]
    sent_after = int(re.match(shape, chart["caption"])[1])  # type: ignore[index]
    assert sent_after > sent_before
    [*_, largest] = chart["photo"]
    assert largest["file_size"] > 10_000  # a drawn PNG, not an empty upload


async def test_revisions_lists_nothing_held_and_names_a_source_with_nothing_to_apply(
    bot: Harness,
) -> None:
    [empty] = await bot.send(ADMIN, "/revisions")
    assert empty["text"] == "لا توجد تعديلات عناوين معلّقة."
    [none] = await bot.send(ADMIN, "/revisions apply 99")
    assert none["text"] == "تعذّر ذلك: لا توجد تعديلات معلّقة لهذا المصدر"
    [usage] = await bot.send(ADMIN, "/revisions apply", language="en")
    assert usage["text"].endswith("/revisions [apply|drop <source id>]")
    assert ("revisions", True) in await _audit(bot, ADMIN)
