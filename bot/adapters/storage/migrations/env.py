"""Alembic environment: runs on the connection Nashir hands it (see database.py)."""

from __future__ import annotations

from alembic import context

from bot.adapters.storage.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `nashir db upgrade`, which provides a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
