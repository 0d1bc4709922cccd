"""The services' options, read from the settings: the only place that knows both.

Services take small frozen option objects, never the settings model, so a
test builds exactly the options it needs and a service cannot reach a
setting it was not given.
"""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.settings import Settings
from bot.core.formatting import FormatOptions
from bot.core.formatting.options import UtmOptions
from bot.core.model import SocialLinks
from bot.core.ratelimit import Limits
from bot.services.delivery import DeliveryOptions
from bot.services.digests import DigestOptions
from bot.services.ingest import IngestOptions
from bot.services.trending import TrendingOptions
from bot.services.watch import QuietWatchOptions
from bot.services.xbudget import BudgetOptions


def format_options(settings: Settings) -> FormatOptions:
    """Formatting options from the settings."""
    utm = UtmOptions(enabled=settings.utm)
    return FormatOptions(
        language=settings.language,
        telegram_utm=utm,
        x_utm=utm,
        read_more_button=True,
        telegram_template=settings.telegram_template,
        x_template=settings.x_template,
    )


def social_overrides(settings: Settings) -> SocialLinks:
    """Links set in the settings win over the ones found on the site."""
    return SocialLinks(
        youtube=settings.social_youtube,
        x=settings.social_x,
        telegram=settings.social_telegram,
        facebook=settings.social_facebook,
        google_news=settings.social_google_news,
    )


def delivery_options(settings: Settings) -> DeliveryOptions:
    """Batching, concurrency and retries of the delivery worker from the settings."""
    return DeliveryOptions(
        batch_size=settings.delivery_batch,
        concurrency=settings.delivery_concurrency,
        max_attempts=settings.max_attempts,
        base_backoff=settings.backoff_base,
        max_backoff=settings.backoff_max,
        claim_lease=timedelta(seconds=settings.claim_lease),
        idle=settings.deliver_interval,
    )


def telegram_limits(settings: Settings) -> Limits:
    """Telegram's rate limits as configured."""
    return Limits(
        per_second=settings.telegram_rate,
        paid_per_second=settings.paid_broadcast_rate,
        paid_broadcast=settings.paid_broadcast,
        private_per_second=settings.private_rate,
        group_per_minute=settings.group_rate,
    )


def budget_options(settings: Settings) -> BudgetOptions:
    """The X budget as configured."""
    return BudgetOptions(
        posts_per_day=settings.x_posts_per_day,
        money_per_month=settings.x_money_per_month,
        price_post=settings.x_price_post,
        price_post_with_link=settings.x_price_post_with_link,
        reserve=settings.x_reserve,
    )


def ingest_options(settings: Settings) -> IngestOptions:
    """Polling, completion and back-off of the ingestor from the settings."""
    return IngestOptions(
        poll_interval=settings.poll_interval,
        complete_from_page=settings.complete_from_page,
        breaking_markers=settings.breaking_markers,
        jitter=settings.poll_jitter,
        max_backoff=settings.poll_backoff_max,
        host_concurrency=settings.host_concurrency,
        max_reads_per_hour=settings.reads_max_per_hour,
    )


def quiet_watch_options(settings: Settings) -> QuietWatchOptions:
    """When a silent site is worth an alert."""
    return QuietWatchOptions(
        quiet_site_hours=settings.quiet_site_hours,
        publishing_hours=settings.publishing_hours,
        zone=settings.zone,
    )


def digest_options(settings: Settings) -> DigestOptions:
    """When digests go out and how many stories they hold."""
    return DigestOptions(
        digest_times=tuple(settings.digest_times),
        digest_size=settings.digest_size,
        weekly_digest_day=settings.weekly_digest_day,
        zone=settings.zone,
    )


def trending_options(settings: Settings) -> TrendingOptions:
    """How read counters are refreshed and what counts as trending."""
    return TrendingOptions(
        reads_days=settings.reads_days,
        reads_pages=settings.reads_pages,
        reads_max_per_hour=settings.reads_max_per_hour,
        trending_hours=settings.trending_hours,
        trending_top=settings.trending_top,
        trending_min_velocity=settings.trending_min_velocity,
        trending_cooldown_hours=settings.trending_cooldown_hours,
        trending_to_x=settings.trending_to_x,
    )
