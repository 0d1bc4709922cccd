"""English replies (English clients and `/lang en`)."""

TEXTS: dict[str, str] = {
    "welcome": (
        "Welcome to the {site} news bot 📰\n"
        "I send you the news you care about: follow a tag with /follow, search with "
        "/search, and read the latest with /latest.\n/help lists every command."
    ),
    "welcome_back": "Welcome back 👋 Your subscription is active again.",
    "channels": "Follow our channels:",
    "help": (
        "Commands:\n"
        "/latest [n] — latest news\n"
        "/top [today|week] — most read today or this week\n"
        "/tags — popular tags\n"
        "/follow tag — get a tag's news here\n"
        "/unfollow tag — stop following a tag\n"
        "/following — the tags you follow\n"
        "/digest off|daily|weekly [hour] — a regular digest\n"
        "/search words — search the news\n"
        "/settings — your settings, one tap each\n"
        "/lang ar|en — reply language\n"
        "/privacy — what we keep about you\n"
        "/stop — unsubscribe and delete your data\n"
        "Type @{bot} and some words in any chat to share a story."
    ),
    "help_admin": (
        "\n\nAdmin commands:\n"
        "/stats /pause /resume /post url /preview url /skip article /delete article\n"
        "/sources /addsource url /removesource source /broadcast text /schedule /audit [n]"
    ),
    "unknown": "I don't know that command. Send /help for the list.",
    "settings": (
        "⚙️ Your settings — tap a button to change it:\n"
        "Language: {lang_name}\n"
        "Digest: {digest}\n"
        "Tags: {tags}"
    ),
    "settings_tags": "you follow {count:n:tag} (tap one to stop following it)",
    "settings_no_tags": "you follow none yet; send /follow to pick some.",
    "settings_digest_off": "No digest",
    "settings_digest_daily": "Daily",
    "settings_digest_weekly": "Weekly",
    "privacy": (
        "🔒 What the bot keeps about you:\n"
        "• your Telegram account id, the id of your chat with it and when you subscribed\n"
        "• your language, the digest you chose and its hour, and the tags you follow\n"
        "• which stories were sent to you, so none arrives twice\n"
        "It keeps neither your name nor your messages; your last searches stay in memory "
        "for the paging buttons only, and a message that caused an error may appear in "
        "the bot's log.\n"
        "Send /stop to unsubscribe and delete all of the above at once."
    ),
    "follow_pick": (
        "Which tag? Tap one to follow it, or write it after the command, e.g. /follow Yemen"
    ),
    "unfollow_pick": "Tap a tag to stop following it:",
    "search_ask": "🔎 What are you looking for? Send the words in your next message.",
    "search_words_only": "Send some words to search the news, or /help for the list.",
    "private_only": "I only work in private chat; message me there: {link}",
    "sorry": "Sorry, something went wrong. Please try again in a moment.",
    "too_long": "That is too long (at most {max:n:character}).",
    "extra_args": "This command takes nothing after it: send {command} alone.",
    "expired": "This button has expired.",
    "bad_number": "Give a number from 1 to {max}, e.g. /latest 5",
    "latest_none": "No news yet.",
    "latest_title": "🗞 Latest news",
    "top_usage": "Usage: /top today or /top week",
    "top_title_today": "🔥 Most read today",
    "top_title_week": "🔥 Most read this week",
    "top_none": "No read counts for that period yet.",
    "tags_title": "🏷 Popular tags — tap to follow:",
    "tags_none": "No tags yet.",
    "follow_usage": "Write the tag after the command, e.g. /follow Yemen",
    "followed": "✅ You now follow “{tag}”. Its news will arrive here.",
    "followed_unseen": (
        "✅ You now follow “{tag}”. No story carries this tag yet; the first one will arrive here."
    ),
    "too_many_unseen": (
        "You already follow {max} tags no story carries yet, the most allowed. "
        "Stop following one with /unfollow first."
    ),
    "already_following": "You already follow “{tag}”.",
    "unfollowed": "You no longer follow “{tag}”.",
    "not_following": "You don't follow “{tag}”.",
    "unknown_tag": "There is no tag “{tag}”.",
    "suggest": "Did you mean?",
    "see_tags": "Send /tags to see popular tags.",
    "following_title": "The tags you follow:",
    "following_none": "You follow no tags yet. Send /tags to pick some.",
    "digest_usage": (
        "Usage: /digest off, /digest daily [hour 0-23] or /digest weekly [hour 0-23]\n"
        "Current setting: {current}"
    ),
    "digest_off": "Digest turned off.",
    "digest_daily": "You'll get a daily digest at {hour}:00 ({zone}).",
    "digest_weekly": "You'll get a weekly digest at {hour}:00 ({zone}).",
    "digest_current_off": "off",
    "digest_current_daily": "daily at {hour}:00 ({zone})",
    "digest_current_weekly": "weekly at {hour}:00 ({zone})",
    "search_none": "Nothing found for “{query}”.",
    "search_title": "🔎 Results for “{query}” ({first}–{last} of {total}):",
    "search_expired": "This search has expired; please search again.",
    "previous": "◀️ Previous",
    "next": "Next ▶️",
    "lang_usage": "Usage: /lang ar or /lang en",
    "lang_set": "Replies will be in English.",
    "stopped": "You are unsubscribed and your data is deleted. Send /start to come back.",
    "stop_none": "You are not subscribed, and we keep no data about you.",
    "inline_none": "No results",
    "inline_hint": "Type words to search the news",
    # admin
    "admin_usage": "Usage: {usage}",
    "stats": (
        "📊 Stats\n"
        "Subscribers: {active} active, {blocked} blocked the bot\n"
        "Posts today:\n{posts}\n"
        "Queued: {queued} · failed today: {failed}\n"
        "Last poll per source:\n{sources}\n"
        "X budget: {budget}\n"
        "Posting: {paused}"
    ),
    "stats_chart": (
        "📈 Last 24 hours: {sent:n:post}. Wait from queued to sent: "
        "median {p50:.0f} s, 90% within {p90:.0f} s."
    ),
    "none": "none",
    "unknown_value": "unknown",
    "state_paused": "paused ⏸",
    "state_running": "running ▶️",
    "paused": "⏸ Posting is paused. /resume to go on.",
    "resumed": "▶️ Posting resumed.",
    "failed_input": "Could not do that: {reason}",
    "posted": "“{title}” is queued to post now to {count:n:destination}.",
    "preview_header": "{platform} preview ({length}/{limit}):",
    "skipped": "Article {id} “{title}” will not be posted.",
    "deleted": "Posts of article {id} “{title}” deleted: {result}",
    "sources_title": "Sources:",
    "sources_none": "No sources.",
    "source_line": "{id}. {url} — last poll: {polled}, failures in a row: {failures}",
    "source_preview": "Source {url}: {kind}, {items:n:item}. First: “{title}”",
    "source_added": "✅ Source {id} added.",
    "source_removed": "Source {url} removed.",
    "broadcast_confirm": "This text will reach {count:n:subscriber}:\n\n{text}\n\nSend it?",
    "broadcast_send": "✅ Send",
    "broadcast_cancel": "❌ Cancel",
    "broadcast_queued": "📣 Queued for {count:n:subscriber}.",
    "broadcast_cancelled": "Broadcast cancelled.",
    "broadcast_none": "There are no subscribers to broadcast to.",
    "revisions_none": "No headline changes are held.",
    "revisions_batch": (
        "✋ Source {source} ({url}): {count:n:change} held since {at}, because: {reason}\n"
        "{lines}\nApply: /revisions apply {source} · drop: /revisions drop {source}"
    ),
    "revision_line": "• “{old}” → “{new}”",
    "revisions_applied": "{count:n:change} applied; the posts were edited.",
    "revisions_dropped": "{count:n:change} dropped; the posts stay as they were.",
    "schedule_title": "Scheduled jobs:",
    "schedule_none": "The scheduler is not running.",
    "job_line": "• {name} — next: {next}{result}",
    "audit_title": "Audit log:",
    "audit_none": "The log is empty.",
    "audit_line": "{at} · {user} · {action} {detail}{denied}",
    "approval_request": "🕓 Waiting for approval to post to: {destinations}\n\n{post}",
    "approve": "✅ Post",
    "edit": "✏️ Edit headline",
    "drop": "❌ Drop",
    "approved": "✅ Approved by {admin}: posting to {count:n:destination}.",
    "dropped": "❌ Dropped by {admin}.",
    "approval_gone": "This article no longer waits for approval.",
    "send_headline": "Send the new headline for article {id}:",
    "headline_set": "✏️ Headline changed. Review the post again:",
}

# Counted nouns (`{value:n:noun}`), by CLDR plural category.
NOUNS: dict[str, dict[str, str]] = {
    "tag": {"one": "{n} tag", "other": "{n} tags"},
    "destination": {"one": "{n} destination", "other": "{n} destinations"},
    "post": {"one": "{n} post", "other": "{n} posts"},
    "change": {"one": "{n} change", "other": "{n} changes"},
    "subscriber": {"one": "{n} subscriber", "other": "{n} subscribers"},
    "character": {"one": "{n} character", "other": "{n} characters"},
    "item": {"one": "{n} item", "other": "{n} items"},
    "story": {"one": "{n} story", "other": "{n} stories"},
}

COMMANDS: dict[str, str] = {
    "start": "Subscribe and get started",
    "help": "All commands",
    "latest": "Latest news",
    "top": "Most read",
    "tags": "Popular tags",
    "follow": "Follow a tag",
    "unfollow": "Stop following a tag",
    "following": "Tags you follow",
    "digest": "Regular digest",
    "search": "Search the news",
    "settings": "Your settings",
    "privacy": "Privacy: what we keep",
    "lang": "Reply language",
    "stop": "Unsubscribe and delete your data",
    "stats": "Statistics",
    "pause": "Pause posting",
    "resume": "Resume posting",
    "post": "Post a URL now",
    "preview": "Preview a URL's posts",
    "skip": "Never post an article",
    "delete": "Delete an article's posts",
    "sources": "Sources",
    "addsource": "Add a source",
    "removesource": "Remove a source",
    "broadcast": "Message every subscriber",
    "schedule": "Scheduled jobs",
    "audit": "Audit log",
    "revisions": "Held headline changes",
}

# The services speak English already.
REASONS: dict[str, str] = {}
