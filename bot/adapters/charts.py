"""The /stats picture, drawn with matplotlib: posts per hour and how long posts waited.

matplotlib is imported when a chart is drawn, not when the bot starts, so a
bot whose admins never ask for /stats carries none of it. Drawing takes tens
of milliseconds of CPU: callers run `activity_png` in a worker thread.
"""

from __future__ import annotations

import io
from datetime import tzinfo

from bot.core.activity import Activity

WIDTH, HEIGHT, DPI = 8.0, 3.6, 100  # 800 x 360 px: small, readable on a phone


def activity_png(activity: Activity, zone: tzinfo, zone_name: str) -> bytes:
    """A PNG of the last day's sending: one line per destination, delay percentiles beside."""
    import matplotlib

    matplotlib.use("Agg")  # no display; safe in any thread
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    posts, delays = figure.subplots(1, 2, width_ratios=(3, 1))
    x = [hour.astimezone(zone) for hour in activity.hours]
    for label, counts in activity.series:
        posts.plot(x, counts, marker=".", linewidth=1.5, label=label)
    posts.set_title(f"Posts per hour, last 24 h ({zone_name})", fontsize=10)
    posts.set_ylabel("posts")
    posts.tick_params(axis="x", labelsize=8, rotation=45)
    posts.grid(alpha=0.3)
    if activity.series:
        posts.legend(fontsize=7, loc="upper left")
    names = ("p50", "p90", "p99")
    values = activity.delays or (0.0, 0.0, 0.0)
    delays.bar(names, values, color=("#4c72b0", "#dd8452", "#c44e52"))
    delays.set_title("Queued to sent (s)", fontsize=10)
    for index, value in enumerate(values):
        delays.annotate(f"{value:.0f}", (index, value), ha="center", va="bottom", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
