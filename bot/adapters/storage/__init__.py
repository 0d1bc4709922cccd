"""Storage adapter: SQLAlchemy engine, schema, migrations and repositories.

Repositories add and query rows, return plain `bot.core.model` objects and never
commit. The service that owns the unit of work commits (one commit per use
case), so a crash between two steps never leaves half an article stored.
"""
