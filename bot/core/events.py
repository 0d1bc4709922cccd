"""What happened, told to whoever watches: metrics, alerts, the demo.

Services report events through this one interface instead of importing a
metrics library, so the core stays free of Prometheus and a test can record
events with a plain list. `Events` does nothing; subclasses override what
they care about.
"""

from __future__ import annotations


class Events:
    """Receives events from the services; every method is a no-op here."""

    def poll_finished(self, source: str, status: str, seconds: float, new: int) -> None:
        """A poll ended: status is ok, not_modified or error."""

    def article_stored(self, source: str | None) -> None:
        """A new article was stored."""

    def delivery_queued(self, destination: str, count: int = 1) -> None:
        """Deliveries were added to the outbox for one destination."""

    def delivery_sent(self, destination: str, seconds_queued: float | None = None) -> None:
        """A delivery reached its destination."""

    def delivery_failed(self, destination: str, reason: str) -> None:
        """A delivery ended as failed."""

    def api_error(self, platform: str, code: str) -> None:
        """A platform API answered with an error (HTTP code or a name like timeout)."""

    def rate_limited(self, platform: str, seconds: float) -> None:
        """A platform asked us to wait; `seconds` is how long."""

    def subscribers_changed(self, active: int, blocked: int) -> None:
        """The subscriber counts, after any change."""

    def x_budget(self, posts_left: int, money_left: float | None) -> None:
        """What is left of the X budget."""

    def revisions_held(self, source: str, count: int, reason: str) -> None:
        """A poll's headline changes were held back from posted stories (`revision_guard`)."""


class RecordingEvents(Events):
    """Keeps every event as a tuple; for tests."""

    def __init__(self) -> None:
        self.seen: list[tuple[object, ...]] = []

    def poll_finished(self, source: str, status: str, seconds: float, new: int) -> None:
        """Record it."""
        self.seen.append(("poll_finished", source, status, new))

    def revisions_held(self, source: str, count: int, reason: str) -> None:
        """Record it."""
        self.seen.append(("revisions_held", source, count, reason))

    def article_stored(self, source: str | None) -> None:
        """Record it."""
        self.seen.append(("article_stored", source))

    def delivery_queued(self, destination: str, count: int = 1) -> None:
        """Record it."""
        self.seen.append(("delivery_queued", destination, count))

    def delivery_sent(self, destination: str, seconds_queued: float | None = None) -> None:
        """Record it."""
        self.seen.append(("delivery_sent", destination))

    def delivery_failed(self, destination: str, reason: str) -> None:
        """Record it."""
        self.seen.append(("delivery_failed", destination, reason))

    def api_error(self, platform: str, code: str) -> None:
        """Record it."""
        self.seen.append(("api_error", platform, code))

    def rate_limited(self, platform: str, seconds: float) -> None:
        """Record it."""
        self.seen.append(("rate_limited", platform, seconds))
