"""subscribers and search: the folded search index, FTS5 on SQLite, GIN on PostgreSQL

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table over search_index, kept in step by
# triggers (the documented FTS5 pattern). unicode61 splits on anything that is
# not a letter or digit; the document is already folded by Python.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "document, content='search_index', content_rowid='article_id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_index_ai AFTER INSERT ON search_index BEGIN "
    "INSERT INTO search_fts(rowid, document) VALUES (new.article_id, new.document); END",
    "CREATE TRIGGER search_index_ad AFTER DELETE ON search_index BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, document) "
    "VALUES ('delete', old.article_id, old.document); END",
    "CREATE TRIGGER search_index_au AFTER UPDATE ON search_index BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, document) "
    "VALUES ('delete', old.article_id, old.document); "
    "INSERT INTO search_fts(rowid, document) VALUES (new.article_id, new.document); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_index_au",
    "DROP TRIGGER IF EXISTS search_index_ad",
    "DROP TRIGGER IF EXISTS search_index_ai",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL: built-in full text with the `simple` configuration (no stemming,
# no extension needed on a stock server), over the already folded document.
POSTGRES_UP = [
    "CREATE INDEX ix_search_index_tsv ON search_index "
    "USING gin (to_tsvector('simple', document))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_search_index_tsv"]


def upgrade() -> None:
    op.create_table(
        "search_index",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_index_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_index")),
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
    op.drop_table("search_index")
