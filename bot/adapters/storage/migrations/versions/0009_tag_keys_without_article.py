"""tags: keys folded word by word without the article; variants merged

A tag's key was its folded name, so "الدوري" and "دوري" were two tags: a
reader who followed "الدوري" before any story carried it never met a story
the site tagged "دوري". Keys are now `bot.core.tag_match.stored_key`, the
article dropped from each word as reader queries already were. Tags that
meet on one key are merged into the oldest, with their articles and
followers. The key function is imported rather than copied: it is pure,
and a copy would drift from the one ingest and /follow use.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.core.tag_match import stored_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Tables that point at a tag, with the other half of their primary key.
_REFERENCES = (("article_tags", "article_id"), ("subscriptions", "subscriber_id"))


def upgrade() -> None:
    conn = op.get_bind()
    groups: dict[str, list[int]] = {}
    for tag_id, name, key in conn.execute(sa.text("SELECT id, name, key FROM tags ORDER BY id")):
        groups.setdefault(stored_key(name) or key, []).append(int(tag_id))
    for keep, *merged in groups.values():
        for gone in merged:
            _merge(conn, keep, gone)
    # Through a placeholder, so no new key meets an old one still in place
    # ("#" never survives into a key: `tag_key` reads it as a space).
    kept = [(key, ids[0]) for key, ids in groups.items()]
    update = sa.text("UPDATE tags SET key = :key WHERE id = :id")
    if kept:
        conn.execute(update, [{"key": f"#0009#{tag_id}", "id": tag_id} for _, tag_id in kept])
        conn.execute(update, [{"key": key, "id": tag_id} for key, tag_id in kept])


def _merge(conn: sa.Connection, keep: int, gone: int) -> None:
    """Move a tag's articles and followers to `keep` (once each), then drop it."""
    ids = {"keep": keep, "gone": gone}
    for table, other in _REFERENCES:
        conn.execute(
            sa.text(
                f"UPDATE {table} SET tag_id = :keep WHERE tag_id = :gone AND {other} NOT IN "
                f"(SELECT {other} FROM {table} WHERE tag_id = :keep)"
            ),
            ids,
        )
        conn.execute(sa.text(f"DELETE FROM {table} WHERE tag_id = :gone"), ids)
    conn.execute(sa.text("DELETE FROM tags WHERE id = :gone"), ids)


def downgrade() -> None:
    # Merged tags cannot be split again; the keys stay as they are.
    pass
