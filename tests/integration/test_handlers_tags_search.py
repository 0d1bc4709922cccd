"""Tags, following, search and inline mode, end to end through the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from handlers_kit import (
    Harness,
    backends,
    button_data,
    button_texts,
    database,
    draft,
    fresh_fake,
    running_app,
)

from bot.adapters.storage.audit import AuditRepository
from bot.adapters.storage.subscribers import TagRepository
from handlers.views import tag_payload
from sandbox import wait_until_async

pytestmark = pytest.mark.asyncio(loop_scope="module")

UN = "الأمم المتحدة"


@pytest.fixture(scope="module", params=backends())
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(request.param, Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(db_url: str) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(db_url, server.url, fake):
            await harness.store(
                draft("un", "إطلاق مبادرة أممية للسلام", tags=(UN, "اليمن"), summary="الأسد يزأر")
            )
            await harness.store(
                draft("eco", "تراجع الريال أمام الدولار", tags=("الاقتصاد", "اليمن"))
            )
            for number in range(7):
                await harness.store(draft(f"power{number}", f"انقطاع الكهرباء في عدن {number}"))
            yield harness


async def test_tags_shows_popular_tags_and_a_button_follows(bot: Harness) -> None:
    [reply] = await bot.send(2001, "/tags")
    assert reply["text"] == "🏷 الوسوم الأكثر تداولاً — اضغط لتتابع:"
    assert button_texts(reply)[0] == "➕ اليمن"
    answer = await bot.press(2001, reply, button_data(reply)[0])
    assert answer["text"] == "✅ تتابع الآن «اليمن». ستصلك أخباره هنا."
    again = await bot.press(2001, reply, button_data(reply)[0])
    assert again["text"] == "أنت تتابع «اليمن» من قبل."
    [listing] = await bot.send(2001, "/following")
    assert listing["text"] == "الوسوم التي تتابعها:\n• اليمن"


@pytest.mark.parametrize(
    "typed",
    [
        "الامم المتحده",
        "الأمم المتحدة",
        "أمم متحدة",
        "الإمم المتّحدة",
        "#الامم_المتحدة",
        "الأمـــم المتحدة",
    ],
)
async def test_follow_forgives_arabic_spelling_variants(bot: Harness, typed: str) -> None:
    user = 2100 + len(typed) + typed.count("ا") * 50 + typed.count("#") * 7 + typed.count("ـ")
    [reply] = await bot.send(user, f"/follow {typed}")
    assert reply["text"] == f"✅ تتابع الآن «{UN}». ستصلك أخباره هنا."


UNSEEN_AR = "لا يحمل هذا الوسم أي خبر بعد، وسيصلك هنا أول خبر يحمله."
UNSEEN_EN = "No story carries this tag yet; the first one will arrive here."


async def test_a_tag_no_story_carries_is_followed_and_close_known_tags_suggested(
    bot: Harness,
) -> None:
    [reply] = await bot.send(2002, "/follow الامم")
    assert reply["text"] == f"✅ تتابع الآن «الامم». {UNSEEN_AR}\nهل تقصد؟"
    assert button_texts(reply) == [f"➕ {UN}"]
    answer = await bot.press(2002, reply, button_data(reply)[0])
    assert UN in answer["text"]
    [listing] = await bot.send(2002, "/following")
    assert set(listing["text"].split("\n")) == {"الوسوم التي تتابعها:", "• الامم", f"• {UN}"}


async def test_an_unseen_tag_is_normalised_like_a_hashtag_and_followed_once(bot: Harness) -> None:
    [reply] = await bot.send(2022, "/follow #كرة_القدم", language="en")
    assert reply["text"] == f"✅ You now follow “كرة القدم”. {UNSEEN_EN}"
    assert button_texts(reply) == []
    [again] = await bot.send(2022, "/follow  كرة   القدم ", language="en")
    assert again["text"] == "You already follow “كرة القدم”."
    [nothing] = await bot.send(2022, "/follow !!!", language="en")
    assert nothing["text"] == "There is no tag “!!!”.\nSend /tags to see popular tags."


async def test_a_tag_only_a_reader_wrote_is_never_suggested_to_another(bot: Harness) -> None:
    await bot.send(2023, "/follow قمة المناخ الطارئة")
    [reply] = await bot.send(2024, "/follow قمة المناخ")
    assert reply["text"] == f"✅ تتابع الآن «قمة المناخ». {UNSEEN_AR}"
    assert button_texts(reply) == []
    [tags] = await bot.send(2024, "/tags")
    assert not any("المناخ" in label for label in button_texts(tags))


async def test_a_reader_follows_at_most_twenty_unseen_tags_and_leaves_none_behind(
    bot: Harness,
) -> None:
    for number in range(20):
        await bot.send(2027, f"/follow موضوع {number}")
    [refused] = await bot.send(2027, "/follow موضوع آخر")
    assert refused["text"] == (
        "تتابع 20 وسماً لم يحمله أي خبر بعد، وهذا هو الحد. ألغِ متابعة أحدها بـ /unfollow أولاً."
    )
    [dropped] = await bot.send(2027, "/unfollow موضوع 0")
    assert dropped["text"] == "تم إلغاء متابعة «موضوع 0»."
    [followed] = await bot.send(2027, "/follow موضوع آخر")
    assert followed["text"].startswith("✅ تتابع الآن «موضوع آخر».")
    await bot.send(2027, "/stop")
    async with bot.app.db.session() as session:
        names = {tag.name for tag in await TagRepository(session).all()}
    assert not any(name.startswith("موضوع") for name in names)


async def test_follow_and_unfollow_answer_missing_and_too_long_arguments(bot: Harness) -> None:
    [long] = await bot.send(2003, "/follow " + "ب" * 10_000)
    assert long["text"] == "النص طويل جداً (الحد 100 حرف)."
    [unusage] = await bot.send(2003, "/unfollow")
    assert unusage["text"] == "لا تتابع أي وسم بعد. أرسل /tags لتختار."
    [extra] = await bot.send(2003, "/following now")
    assert extra["text"] == "هذا الأمر لا يأخذ شيئاً بعده: أرسل /following وحده."


async def test_bare_follow_offers_popular_tags_and_bare_unfollow_your_own(bot: Harness) -> None:
    [offer] = await bot.send(2014, "/follow")
    assert offer["text"].startswith("أي وسم تريد؟ اضغط وسماً لتتابعه")
    assert button_texts(offer)[0] == "➕ اليمن"
    await bot.press(2014, offer, button_data(offer)[0])
    await bot.send(2014, "/follow الاقتصاد")
    [own] = await bot.send(2014, "/unfollow")
    assert own["text"] == "اضغط وسماً لتلغي متابعته:"
    assert sorted(button_texts(own)) == ["✖️ الاقتصاد", "✖️ اليمن"]
    pressed = button_texts(own).index("✖️ اليمن")
    answer = await bot.press(2014, own, button_data(own)[pressed])
    assert answer["text"] == "تم إلغاء متابعة «اليمن»."
    [listing] = await bot.send(2014, "/following")
    assert listing["text"] == "الوسوم التي تتابعها:\n• الاقتصاد"


async def test_unfollow_forgives_variants_and_following_lists_what_is_left(bot: Harness) -> None:
    await bot.send(2004, "/follow اليمن")
    await bot.send(2004, "/follow الاقتصاد")
    [reply] = await bot.send(2004, "/unfollow يمن")
    assert reply["text"] == "تم إلغاء متابعة «اليمن»."
    [listing] = await bot.send(2004, "/following", language="en")
    assert listing["text"] == "الوسوم التي تتابعها:\n• الاقتصاد"
    [unknown] = await bot.send(2004, "/unfollow اليمن")
    assert unknown["text"].startswith("لا يوجد وسم «اليمن».")


async def test_start_deep_link_follows_a_tag(bot: Harness) -> None:
    welcome, followed = await bot.send(2005, f"/start {tag_payload(UN)}", count=2)
    assert "أهلاً بك" in welcome["text"]
    assert followed["text"] == f"✅ تتابع الآن «{UN}». ستصلك أخباره هنا."
    _, slug = await bot.send(2006, "/start tag_the-economy", count=2)
    assert slug["text"] == f"✅ تتابع الآن «the economy». {UNSEEN_AR}"
    [plain] = await bot.send(2007, "/start from_the_website")
    assert "أهلاً بك" in plain["text"]


async def test_forged_or_tampered_callback_data_is_answered_as_expired(bot: Harness) -> None:
    [reply] = await bot.send(2008, "/tags")
    genuine = button_data(reply)[0]
    for forged in ("f:1", genuine[:-1] + ("0" if genuine[-1] != "0" else "1"), "ap:ok:1|abc", ""):
        answer = await bot.press(2008, reply, forged)
        assert answer["text"] == "انتهت صلاحية هذا الزر."
        assert answer["show_alert"] is True
    [listing] = await bot.send(2008, "/following")
    assert listing["text"].startswith("لا تتابع أي وسم بعد")


async def test_an_admin_button_pressed_by_a_non_admin_is_refused_and_audited(bot: Harness) -> None:
    services = bot.app.telegram.bot_data["services"]  # type: ignore[union-attr]
    [reply] = await bot.send(2009, "/tags")
    answer = await bot.press(2009, reply, services.sign("bc:ok:sometoken"))
    assert answer["text"] == "انتهت صلاحية هذا الزر."
    async with bot.app.db.session() as session:
        entries = await AuditRepository(session).recent(5)
    assert any(e.user_id == 2009 and not e.allowed and e.action == "button:bc" for e in entries)


@pytest.mark.parametrize("query", ["اطلاق", "أطلاق", "إطلاق", "الإطلاق", "أسد", "مبادره امميه"])
async def test_search_sees_through_hamza_taa_marbuta_and_the_article(
    bot: Harness, query: str
) -> None:
    [reply] = await bot.send(2010, f"/search {query}")
    assert "إطلاق مبادرة أممية للسلام" in reply["text"]


async def test_search_pages_with_buttons_and_an_old_search_expires(bot: Harness) -> None:
    [first] = await bot.send(2011, "/search الكهرباء")
    assert first["text"].startswith("🔎 نتائج «الكهرباء» (1–5 من 7):")
    assert button_texts(first) == ["التالي ▶️"]
    edits = len(bot.fake.calls_to("editMessageText"))
    await bot.press(2011, first, button_data(first)[0])
    await wait_until_async(lambda: len(bot.fake.calls_to("editMessageText")) == edits + 1)
    [second] = bot.replies(2011)[-1:]
    assert second["text"].startswith("🔎 نتائج «الكهرباء» (6–7 من 7):")
    assert button_texts(second) == ["◀️ السابق"]
    await bot.send(2011, "/stop")  # forgets the user's searches too
    answer = await bot.press(2011, second, button_data(second)[0])
    assert answer["text"] == "انتهت صلاحية هذا البحث، ابحث من جديد."


async def test_search_answers_bad_input_without_crashing(bot: Harness) -> None:
    [ask] = await bot.send(2012, "/search")
    assert ask["text"] == "🔎 عمّ تبحث؟ أرسل الكلمات في رسالتك التالية."
    [long] = await bot.send(2012, "/search " + "ك" * 10_000)
    assert long["text"] == "النص طويل جداً (الحد 200 حرف)."
    for hostile in ("'; DROP TABLE articles; --", 'NEAR(" OR *) AND', "%_\\", "؟!"):
        [reply] = await bot.send(2012, f"/search {hostile}")
        assert reply["text"].startswith("لم أجد أخباراً")
    [still] = await bot.send(2012, "/search عدن", language="en")
    assert "Results for" in still["text"]


async def test_inline_mode_offers_matching_articles_to_share(bot: Harness) -> None:
    answer = await bot.inline(2013, "الدولار")
    [result] = answer["results"]
    assert result["title"] == "تراجع الريال أمام الدولار"
    assert "news.example/eco" in result["input_message_content"]["message_text"]
    latest = await bot.inline(2013, "")
    assert len(latest["results"]) == 9
    paged = await bot.inline(2013, "الكهرباء")
    assert len(paged["results"]) == 7
    assert paged.get("next_offset", "") == ""


# Last: it stores a story, which the listings above would count.
async def test_a_tag_followed_with_the_article_meets_the_site_tag_written_without_it(
    bot: Harness,
) -> None:
    [reply] = await bot.send(2029, "/follow الدوري الممتاز")
    assert reply["text"] == f"✅ تتابع الآن «الدوري الممتاز». {UNSEEN_AR}"
    await bot.store(draft("league", "انطلاق موسم كرة القدم", tags=("دوري ممتاز",)))
    async with bot.app.db.session() as session:
        tags = TagRepository(session)
        matching = [t for t in await tags.all() if t.name in ("الدوري الممتاز", "دوري ممتاز")]
        assert len(matching) == 1
        assert await tags.stories(matching[0].id) == 1
    [listing] = await bot.send(2029, "/following")
    assert listing["text"] == "الوسوم التي تتابعها:\n• الدوري الممتاز"
