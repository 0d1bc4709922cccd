"""Adapters: what Nashir reads from and writes to.

Storage (SQLAlchemy), sources (httpx, feeds, pages), publishers (Telegram, X), the
HTTP server, settings and logs. They import the core and each other, never a service
or an entry point.
"""
