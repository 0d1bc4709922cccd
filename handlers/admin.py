"""Admin commands. Admins are the user ids in `NASHIR_ADMIN_IDS`, never usernames.

`admin_only` wraps every command here: anyone else gets exactly the reply an
unknown command gets, and both the refusal and every allowed use are audited.
A `UserInputError` from the service becomes a one-line answer.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from functools import wraps
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.adapters.charts import activity_png
from bot.adapters.storage.held_revisions import HeldBatch
from bot.core.errors import UserInputError
from bot.core.model import Platform
from handlers.context import BotContext, language
from handlers.i18n import reason, text
from handlers.subscriber import unknown
from handlers.views import NO_PREVIEW

AdminCommand = Callable[[Update, BotContext, str], Awaitable[None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

MAX_BROADCAST = 3500
HELD_SHOWN = 5  # held changes quoted per source: enough to tell an edit from debris
AUDIT_DEFAULT = 10
AUDIT_MAX = 50
BROADCASTS_KEY = "broadcasts"
LIMITS = {Platform.TELEGRAM: 4096, Platform.X: 280}

log = logging.getLogger(__name__)


def admin_only(action: str) -> Callable[[AdminCommand], Handler]:
    """Refuse non-admins as if the command did not exist; audit every use."""

    def decorate(command: AdminCommand) -> Handler:
        @wraps(command)
        async def handler(update: Update, context: BotContext) -> None:
            message = update.effective_message
            user = update.effective_user
            if message is None or user is None:
                return
            services = context.services
            allowed = services.is_admin(user.id)
            await services.admin.audit(user.id, action, message.text, allowed)
            if not allowed:
                await unknown(update, context)
                return
            lang = await language(update, context)
            try:
                await command(update, context, lang)
            except UserInputError as exc:
                await message.reply_text(text(lang, "failed_input", reason=reason(lang, str(exc))))

        return handler

    return decorate


def _one_argument(context: BotContext, usage: str) -> str:
    args = context.args or []
    if len(args) != 1:
        raise UserInputError(usage)
    return args[0]


def _no_arguments(context: BotContext, command: str) -> None:
    if context.args:
        raise UserInputError(f"{command} takes no arguments")


def _when(value: datetime | None, context: BotContext, lang: str) -> str:
    if value is None:
        return text(lang, "none")
    return value.astimezone(context.services.zone).strftime("%Y-%m-%d %H:%M")


@admin_only("stats")
async def stats(update: Update, context: BotContext, lang: str) -> None:
    """Subscribers, posts today, queue, failures, sources, X budget."""
    _no_arguments(context, "/stats")
    found = await context.services.admin.stats()
    posts = "\n".join(f"  {label}: {count}" for label, count in found.posts_today)
    sources = "\n".join(
        f"  {s.url}: {_when(s.last_polled_at, context, lang)}"
        + (f" (×{s.failures})" if s.failures else "")
        for s in found.sources
    )
    paused = (
        text(lang, "unknown_value")
        if found.paused is None
        else text(lang, "state_paused" if found.paused else "state_running")
    )
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        text(
            lang,
            "stats",
            active=found.active,
            blocked=found.blocked,
            posts=posts or "  " + text(lang, "none"),
            queued=found.queued,
            failed=found.failed_today,
            sources=sources or "  " + text(lang, "none"),
            budget=found.x_budget or text(lang, "unknown_value"),
            paused=paused,
        )
    )
    await _activity_chart(update, context, lang)


async def _activity_chart(update: Update, context: BotContext, lang: str) -> None:
    """The last day as a picture: posts per hour per destination, and the waits."""
    found = await context.services.admin.activity()
    zone = context.services.zone
    try:  # drawing is CPU work: off the event loop, so replies and sends go on
        png = await asyncio.to_thread(activity_png, found, zone, str(zone))
    except Exception:
        log.exception("the /stats chart could not be drawn")
        return
    delays = found.delays or (0.0, 0.0, 0.0)
    caption = text(lang, "stats_chart", sent=found.sent, p50=delays[0], p90=delays[1])
    assert update.effective_message is not None
    await update.effective_message.reply_photo(png, caption=caption)


@admin_only("pause")
async def pause(update: Update, context: BotContext, lang: str) -> None:
    """Stop posting until /resume."""
    _no_arguments(context, "/pause")
    await context.services.admin.set_paused(True)
    assert update.effective_message is not None
    await update.effective_message.reply_text(text(lang, "paused"))


@admin_only("resume")
async def resume(update: Update, context: BotContext, lang: str) -> None:
    """Post again."""
    _no_arguments(context, "/resume")
    await context.services.admin.set_paused(False)
    assert update.effective_message is not None
    await update.effective_message.reply_text(text(lang, "resumed"))


@admin_only("post")
async def post(update: Update, context: BotContext, lang: str) -> None:
    """Read an article URL and post it now: /post <url>."""
    url = _one_argument(context, "/post <url>")
    article, count = await context.services.admin.post_now(url)
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        text(lang, "posted", title=article.title, count=count)
    )


@admin_only("preview")
async def preview(update: Update, context: BotContext, lang: str) -> None:
    """The exact post of an article URL on each platform, not posted: /preview <url>."""
    url = _one_argument(context, "/preview <url>")
    posts = await context.services.admin.preview(url)
    message = update.effective_message
    assert message is not None
    for shown in posts:
        name = "Telegram" if shown.platform is Platform.TELEGRAM else "X"
        header = text(
            lang, "preview_header", platform=name, length=shown.length, limit=LIMITS[shown.platform]
        )
        body = shown.text if shown.platform is Platform.TELEGRAM else html.escape(shown.text)
        await message.reply_text(
            f"<b>{html.escape(header)}</b>\n\n{body}",
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        )


@admin_only("skip")
async def skip(update: Update, context: BotContext, lang: str) -> None:
    """Never post an article: /skip <id or url>."""
    reference = _one_argument(context, "/skip <article id or url>")
    article = await context.services.admin.skip(reference)
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        text(lang, "skipped", id=article.id, title=article.title)
    )


@admin_only("delete")
async def delete(update: Update, context: BotContext, lang: str) -> None:
    """Delete an article's posts everywhere: /delete <id or url>."""
    reference = _one_argument(context, "/delete <article id or url>")
    article, result = await context.services.admin.delete(reference)
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        text(lang, "deleted", id=article.id, title=article.title, result=result)
    )


@admin_only("sources")
async def sources(update: Update, context: BotContext, lang: str) -> None:
    """Every source with its last poll and failures."""
    _no_arguments(context, "/sources")
    found = await context.services.admin.sources()
    lines = [text(lang, "sources_title")] if found else [text(lang, "sources_none")]
    lines += [
        text(
            lang,
            "source_line",
            id=s.id,
            url=s.url,
            polled=_when(s.last_polled_at, context, lang),
            failures=s.failures,
        )
        for s in found
    ]
    assert update.effective_message is not None
    await update.effective_message.reply_text("\n".join(lines), link_preview_options=NO_PREVIEW)


@admin_only("addsource")
async def addsource(update: Update, context: BotContext, lang: str) -> None:
    """Fetch, preview and save a source: /addsource <url> (http and https only)."""
    url = _one_argument(context, "/addsource <url>")
    source, seen = await context.services.admin.add_source(url)
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        text(
            lang,
            "source_preview",
            url=seen.url,
            kind=seen.kind,
            items=seen.items,
            title=seen.first_title or "—",
        )
        + "\n"
        + text(lang, "source_added", id=source.id),
        link_preview_options=NO_PREVIEW,
    )


@admin_only("removesource")
async def removesource(update: Update, context: BotContext, lang: str) -> None:
    """Stop polling a source: /removesource <id or url>."""
    reference = _one_argument(context, "/removesource <source id or url>")
    removed = await context.services.admin.remove_source(reference)
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        text(lang, "source_removed", url=removed.url), link_preview_options=NO_PREVIEW
    )


@admin_only("revisions")
async def revisions(update: Update, context: BotContext, lang: str) -> None:
    """Held headline changes: /revisions, /revisions apply <source id>, /revisions drop <id>."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    admin = context.services.admin
    if not args:
        batches = await admin.held_revisions()
        if not batches:
            await message.reply_text(text(lang, "revisions_none"))
        for batch in batches:
            await message.reply_text(
                _held_text(batch, context, lang), link_preview_options=NO_PREVIEW
            )
        return
    usage = "/revisions [apply|drop <source id>]"
    if len(args) != 2 or args[0] not in ("apply", "drop") or not args[1].isdigit():
        raise UserInputError(usage)
    if args[0] == "apply":
        count = await admin.apply_held(int(args[1]))
        await message.reply_text(text(lang, "revisions_applied", count=count))
    else:
        count = await admin.drop_held(int(args[1]))
        await message.reply_text(text(lang, "revisions_dropped", count=count))


def _held_text(batch: HeldBatch, context: BotContext, lang: str) -> str:
    shown = batch.changes[:HELD_SHOWN]
    lines = "\n".join(
        text(lang, "revision_line", old=c.old_title[:80], new=c.title[:80]) for c in shown
    )
    return text(
        lang,
        "revisions_batch",
        source=batch.source_id,
        url=batch.source_url,
        count=len(batch.changes),
        at=_when(batch.at, context, lang),
        reason=batch.reason,
        lines=lines,
    )


@admin_only("broadcast")
async def broadcast(update: Update, context: BotContext, lang: str) -> None:
    """Ask to confirm a message to every subscriber: /broadcast <text>."""
    message = update.effective_message
    assert message is not None
    body = (message.text or "").partition(" ")[2].strip()
    if not body:
        raise UserInputError("/broadcast <text>")
    if len(body) > MAX_BROADCAST:
        await message.reply_text(text(lang, "too_long", max=MAX_BROADCAST))
        return
    count = await context.services.admin.recipients()
    if count == 0:
        await message.reply_text(text(lang, "broadcast_none"))
        return
    token = secrets.token_urlsafe(8)
    if context.user_data is not None:
        context.user_data.setdefault(BROADCASTS_KEY, {})[token] = body
    sign = context.services.sign
    await message.reply_text(
        text(lang, "broadcast_confirm", count=count, text=body),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        text(lang, "broadcast_send"), callback_data=sign(f"bc:ok:{token}")
                    ),
                    InlineKeyboardButton(
                        text(lang, "broadcast_cancel"), callback_data=sign(f"bc:no:{token}")
                    ),
                ]
            ]
        ),
    )


async def broadcast_button(update: Update, context: BotContext, action: str, token: str) -> None:
    """Confirm or cancel a broadcast; a second press (or an old button) has expired."""
    query = update.callback_query
    assert query is not None
    lang = await language(update, context)
    pending = (context.user_data or {}).get(BROADCASTS_KEY, {})
    body = pending.pop(token, None) if isinstance(pending, dict) else None
    if body is None:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    await query.answer()
    if action != "ok":
        await context.services.admin.audit(query.from_user.id, "broadcast:cancel", None, True)
        await query.edit_message_text(text(lang, "broadcast_cancelled"))
        return
    count = await context.services.admin.broadcast(body, token)
    await context.services.admin.audit(query.from_user.id, "broadcast:send", body, True)
    await query.edit_message_text(text(lang, "broadcast_queued", count=count))


@admin_only("schedule")
async def schedule(update: Update, context: BotContext, lang: str) -> None:
    """The scheduled jobs and when each runs next."""
    _no_arguments(context, "/schedule")
    jobs = await context.services.admin.schedule()
    lines = [text(lang, "schedule_title")] if jobs else [text(lang, "schedule_none")]
    lines += [
        text(
            lang,
            "job_line",
            name=job.name,
            next=_when(job.next_run, context, lang),
            result=f" ({job.last_result})" if job.last_result else "",
        )
        for job in jobs
    ]
    assert update.effective_message is not None
    await update.effective_message.reply_text("\n".join(lines), link_preview_options=NO_PREVIEW)


@admin_only("audit")
async def audit(update: Update, context: BotContext, lang: str) -> None:
    """The newest audit entries: /audit [n]."""
    args = context.args or []
    if len(args) > 1 or (args and not (args[0].isdigit() and 1 <= int(args[0]) <= AUDIT_MAX)):
        raise UserInputError(f"/audit [1-{AUDIT_MAX}]")
    count = int(args[0]) if args else AUDIT_DEFAULT
    entries = await context.services.admin.audit_log(count)
    lines = [text(lang, "audit_title")] if entries else [text(lang, "audit_none")]
    lines += [
        text(
            lang,
            "audit_line",
            at=_when(e.at, context, lang),
            user=e.user_id,
            action=e.action,
            detail=(e.detail or "")[:80],
            denied="" if e.allowed else " ⛔",
        )
        for e in entries
    ]
    assert update.effective_message is not None
    await update.effective_message.reply_text("\n".join(lines), link_preview_options=NO_PREVIEW)
