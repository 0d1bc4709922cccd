"""Arabic replies (the default)."""

TEXTS: dict[str, str] = {
    "welcome": (
        "أهلاً بك في نشرة {site} 📰\n"
        "أرسل لك هنا الأخبار التي تهمّك: تابع وسماً بـ /follow، وابحث بـ /search، "
        "واطّلع على آخر الأخبار بـ /latest.\n/help لكل الأوامر."
    ),
    "welcome_back": "أهلاً بعودتك 👋 اشتراكك مفعّل من جديد.",
    "channels": "تابعونا على قنواتنا:",
    "help": (
        "الأوامر:\n"
        "/latest [عدد] — آخر الأخبار\n"
        "/top [today|week] — الأكثر قراءة اليوم أو هذا الأسبوع\n"
        "/tags — الوسوم الأكثر تداولاً\n"
        "/follow وسم — تابع وسماً لتصلك أخباره\n"
        "/unfollow وسم — ألغِ متابعة وسم\n"
        "/following — الوسوم التي تتابعها\n"
        "/digest off|daily|weekly [ساعة] — ملخص دوري\n"
        "/search كلمات — ابحث في الأخبار\n"
        "/settings — إعداداتك بلمسة واحدة\n"
        "/lang ar|en — لغة الردود\n"
        "/privacy — ما نحفظه عنك\n"
        "/stop — إلغاء الاشتراك وحذف بياناتك\n"
        "ويمكنك كتابة @{bot} وكلمات في أي محادثة لمشاركة خبر."
    ),
    "help_admin": (
        "\n\nأوامر الإدارة:\n"
        "/stats /pause /resume /post رابط /preview رابط /skip خبر /delete خبر\n"
        "/sources /addsource رابط /removesource مصدر /broadcast نص /schedule /audit [عدد]"
    ),
    "unknown": "لا أعرف هذا الأمر. أرسل /help لقائمة الأوامر.",
    "settings": (
        "⚙️ إعداداتك — اضغط زراً لتغييره:\nاللغة: {lang_name}\nالملخص: {digest}\nالوسوم: {tags}"
    ),
    "settings_tags": "تتابع {count:n:tag} (اضغط وسماً لإلغاء متابعته)",
    "settings_no_tags": "لا تتابع أي وسم بعد؛ أرسل /follow لتختار.",
    "settings_digest_off": "بلا ملخص",
    "settings_digest_daily": "يومي",
    "settings_digest_weekly": "أسبوعي",
    "privacy": (
        "🔒 ما يحفظه البوت عنك:\n"
        "• رقم حسابك في تيليجرام ورقم محادثتك معه وتاريخ اشتراكك\n"
        "• لغتك، والملخص الذي اخترته وساعته، والوسوم التي تتابعها\n"
        "• الأخبار التي أُرسلت إليك، كي لا يصلك خبر مرتين\n"
        "لا يحفظ اسمك ولا رسائلك؛ آخر عمليات بحثك تبقى في الذاكرة لأزرار التصفح فقط، "
        "وقد تظهر رسالة سبّبت خطأً في سجل تشغيل البوت.\n"
        "أرسل /stop لإلغاء اشتراكك وحذف كل ما سبق فوراً."
    ),
    "follow_pick": "أي وسم تريد؟ اضغط وسماً لتتابعه، أو اكتبه بعد الأمر، مثل: /follow اليمن",
    "unfollow_pick": "اضغط وسماً لتلغي متابعته:",
    "search_ask": "🔎 عمّ تبحث؟ أرسل الكلمات في رسالتك التالية.",
    "search_words_only": "أرسل كلمات لأبحث عنها في الأخبار، أو /help لقائمة الأوامر.",
    "private_only": "أعمل في المحادثة الخاصة فقط، راسلني هناك: {link}",
    "sorry": "عذراً، حدث خطأ غير متوقع. حاول مرة أخرى بعد قليل.",
    "too_long": "النص طويل جداً (الحد {max:n:character}).",
    "extra_args": "هذا الأمر لا يأخذ شيئاً بعده: أرسل {command} وحده.",
    "expired": "انتهت صلاحية هذا الزر.",
    "bad_number": "اكتب عدداً بين 1 و{max}، مثل: /latest 5",
    "latest_none": "لا توجد أخبار بعد.",
    "latest_title": "🗞 آخر الأخبار",
    "top_usage": "الاستخدام: /top today أو /top week",
    "top_title_today": "🔥 الأكثر قراءة اليوم",
    "top_title_week": "🔥 الأكثر قراءة هذا الأسبوع",
    "top_none": "لا توجد أرقام قراءة لهذه الفترة بعد.",
    "tags_title": "🏷 الوسوم الأكثر تداولاً — اضغط لتتابع:",
    "tags_none": "لا توجد وسوم بعد.",
    "follow_usage": "اكتب الوسم بعد الأمر، مثل: /follow اليمن",
    "followed": "✅ تتابع الآن «{tag}». ستصلك أخباره هنا.",
    "followed_unseen": (
        "✅ تتابع الآن «{tag}». لا يحمل هذا الوسم أي خبر بعد، وسيصلك هنا أول خبر يحمله."
    ),
    "too_many_unseen": (
        "تتابع {max} وسماً لم يحمله أي خبر بعد، وهذا هو الحد. ألغِ متابعة أحدها بـ /unfollow أولاً."
    ),
    "already_following": "أنت تتابع «{tag}» من قبل.",
    "unfollowed": "تم إلغاء متابعة «{tag}».",
    "not_following": "أنت لا تتابع «{tag}».",
    "unknown_tag": "لا يوجد وسم «{tag}».",
    "suggest": "هل تقصد؟",
    "see_tags": "أرسل /tags لترى الوسوم المتداولة.",
    "following_title": "الوسوم التي تتابعها:",
    "following_none": "لا تتابع أي وسم بعد. أرسل /tags لتختار.",
    "digest_usage": (
        "الاستخدام: /digest off أو /digest daily [ساعة 0-23] أو /digest weekly [ساعة 0-23]\n"
        "الإعداد الحالي: {current}"
    ),
    "digest_off": "تم إيقاف الملخص.",
    "digest_daily": "سيصلك ملخص يومي الساعة {hour}:00 ({zone}).",
    "digest_weekly": "سيصلك ملخص أسبوعي الساعة {hour}:00 ({zone}).",
    "digest_current_off": "متوقف",
    "digest_current_daily": "يومي الساعة {hour}:00 ({zone})",
    "digest_current_weekly": "أسبوعي الساعة {hour}:00 ({zone})",
    "search_none": "لم أجد أخباراً عن «{query}».",
    "search_title": "🔎 نتائج «{query}» ({first}–{last} من {total}):",
    "search_expired": "انتهت صلاحية هذا البحث، ابحث من جديد.",
    "previous": "◀️ السابق",
    "next": "التالي ▶️",
    "lang_usage": "الاستخدام: /lang ar أو /lang en",
    "lang_set": "ستصلك الردود بالعربية.",
    "stopped": "تم إلغاء اشتراكك وحذف بياناتك. أرسل /start متى شئت للعودة.",
    "stop_none": "لست مشتركاً، ولا نحتفظ بأي بيانات عنك.",
    "inline_none": "لا نتائج",
    "inline_hint": "اكتب كلمات للبحث في الأخبار",
    # admin
    "admin_usage": "الاستخدام: {usage}",
    "stats": (
        "📊 الإحصاءات\n"
        "المشتركون: {active} نشط، {blocked} حظروا البوت\n"
        "المنشورات اليوم:\n{posts}\n"
        "في الطابور: {queued} · فشل اليوم: {failed}\n"
        "آخر جلب للمصادر:\n{sources}\n"
        "ميزانية X: {budget}\n"
        "النشر: {paused}"
    ),
    "stats_chart": (
        "📈 آخر 24 ساعة: {sent:n:post}. الانتظار من الجدولة إلى النشر: "
        "الوسيط {p50:.0f} ث، و90% خلال {p90:.0f} ث."
    ),
    "none": "لا شيء",
    "unknown_value": "غير معروف",
    "state_paused": "متوقف مؤقتاً ⏸",
    "state_running": "يعمل ▶️",
    "paused": "⏸ تم إيقاف النشر مؤقتاً. /resume للاستئناف.",
    "resumed": "▶️ استُؤنف النشر.",
    "failed_input": "تعذّر ذلك: {reason}",
    "posted": "تمت جدولة «{title}» للنشر الآن على {count:n:destination}.",
    "preview_header": "معاينة {platform} ({length}/{limit}):",
    "skipped": "لن يُنشر الخبر {id} «{title}».",
    "deleted": "حُذفت منشورات الخبر {id} «{title}»: {result}",
    "sources_title": "المصادر:",
    "sources_none": "لا توجد مصادر.",
    "source_line": "{id}. {url} — آخر جلب: {polled}، إخفاقات متتالية: {failures}",
    "source_preview": "المصدر {url}: {kind}، {items:n:item}. أوله: «{title}»",
    "source_added": "✅ أضيف المصدر رقم {id}.",
    "source_removed": "حُذف المصدر {url}.",
    "broadcast_confirm": "سيصل هذا النص إلى {count:n:subscriber}:\n\n{text}\n\nأأرسله؟",
    "broadcast_send": "✅ أرسل",
    "broadcast_cancel": "❌ إلغاء",
    "broadcast_queued": "📣 أُرسل إلى الطابور لـ {count:n:subscriber}.",
    "broadcast_cancelled": "أُلغي البث.",
    "broadcast_none": "لا يوجد مشتركون لإرسال البث إليهم.",
    "revisions_none": "لا توجد تعديلات عناوين معلّقة.",
    "revisions_batch": (
        "✋ المصدر {source} ({url}): {count:n:change} معلّقة منذ {at}، والسبب: {reason}\n{lines}\n"
        "للتطبيق: /revisions apply {source} · للتجاهل: /revisions drop {source}"
    ),
    "revision_line": "• «{old}» ← «{new}»",
    "revisions_applied": "طُبّق {count:n:change} وعُدّلت المنشورات.",
    "revisions_dropped": "تم تجاهل {count:n:change}؛ بقيت المنشورات كما هي.",
    "schedule_title": "المهام المجدولة:",
    "schedule_none": "المجدول لا يعمل.",
    "job_line": "• {name} — التالية: {next}{result}",
    "audit_title": "سجل التدقيق:",
    "audit_none": "السجل فارغ.",
    "audit_line": "{at} · {user} · {action} {detail}{denied}",
    "approval_request": "🕓 بانتظار الموافقة على النشر في: {destinations}\n\n{post}",
    "approve": "✅ انشر",
    "edit": "✏️ عدّل العنوان",
    "drop": "❌ تجاهل",
    "approved": "✅ وافق {admin}: سيُنشر على {count:n:destination}.",
    "dropped": "❌ تجاهل {admin} الخبر.",
    "approval_gone": "لم يعد هذا الخبر بانتظار الموافقة.",
    "send_headline": "أرسل العنوان الجديد للخبر {id}:",
    "headline_set": "✏️ تغيّر العنوان. راجع الخبر من جديد:",
}

# Counted nouns (`{value:n:noun}`), by CLDR plural category; in the case the texts use them.
NOUNS: dict[str, dict[str, str]] = {
    "tag": {
        "one": "وسماً واحداً",
        "two": "وسمين",
        "few": "{n} وسوم",
        "many": "{n} وسماً",
        "other": "{n} وسم",
    },
    "destination": {
        "one": "وجهة واحدة",
        "two": "وجهتين",
        "few": "{n} وجهات",
        "many": "{n} وجهةً",
        "other": "{n} وجهة",
    },
    "subscriber": {
        "one": "مشترك واحد",
        "two": "مشتركَين",
        "few": "{n} مشتركين",
        "many": "{n} مشتركاً",
        "other": "{n} مشترك",
    },
    "character": {
        "one": "حرف واحد",
        "two": "حرفان",
        "few": "{n} أحرف",
        "many": "{n} حرفاً",
        "other": "{n} حرف",
    },
    "item": {
        "one": "عنصر واحد",
        "two": "عنصران",
        "few": "{n} عناصر",
        "many": "{n} عنصراً",
        "other": "{n} عنصر",
    },
    "change": {
        "one": "تعديل واحد",
        "two": "تعديلان",
        "few": "{n} تعديلات",
        "many": "{n} تعديلاً",
        "other": "{n} تعديل",
    },
    "post": {
        "one": "منشور واحد",
        "two": "منشوران",
        "few": "{n} منشورات",
        "many": "{n} منشوراً",
        "other": "{n} منشور",
    },
    "story": {
        "one": "خبر واحد",
        "two": "خبران",
        "few": "{n} أخبار",
        "many": "{n} خبراً",
        "other": "{n} خبر",
    },
}

COMMANDS: dict[str, str] = {
    "start": "الاشتراك والترحيب",
    "help": "كل الأوامر",
    "latest": "آخر الأخبار",
    "top": "الأكثر قراءة",
    "tags": "الوسوم المتداولة",
    "follow": "تابع وسماً",
    "unfollow": "ألغِ متابعة وسم",
    "following": "الوسوم التي تتابعها",
    "digest": "الملخص الدوري",
    "search": "ابحث في الأخبار",
    "settings": "الإعدادات",
    "privacy": "الخصوصية وبياناتك",
    "lang": "لغة الردود",
    "stop": "إلغاء الاشتراك وحذف البيانات",
    "stats": "الإحصاءات",
    "pause": "إيقاف النشر مؤقتاً",
    "resume": "استئناف النشر",
    "post": "انشر رابطاً الآن",
    "preview": "معاينة منشور رابط",
    "skip": "لا تنشر خبراً",
    "delete": "احذف منشورات خبر",
    "sources": "المصادر",
    "addsource": "أضف مصدراً",
    "removesource": "احذف مصدراً",
    "broadcast": "رسالة لكل المشتركين",
    "schedule": "المهام المجدولة",
    "audit": "سجل التدقيق",
    "revisions": "تعديلات العناوين المعلّقة",
}

# Reasons the services give in English, as an Arabic admin reads them; reasons
# not listed (network errors, usage lines) are shown as they are.
REASONS: dict[str, str] = {
    "no such article": "لا يوجد خبر بهذا الرقم أو الرابط",
    "give an article id or URL": "اكتب رقم الخبر أو رابطه",
    "no such source": "لا يوجد مصدر بهذا الرابط",
    "no held changes for that source": "لا توجد تعديلات معلّقة لهذا المصدر",
    "the feed holds no items": "الخلاصة فارغة",
    "the article is already stored under another address": "الخبر محفوظ برابط آخر",
    "pausing is not available in this version": "الإيقاف المؤقت غير متاح في هذه النسخة",
    "deleting posts is not available in this version": "حذف المنشورات غير متاح في هذه النسخة",
}
