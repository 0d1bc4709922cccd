"""Join the delivery, subscriber/search and operations branches into one line.

They were written side by side from the initial schema; from here on every
migration follows this one.

Revision ID: 0006
Revises: 0002, 0004, 0005
"""

from __future__ import annotations

revision = "0006"
down_revision = ("0002", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only merges the branches."""


def downgrade() -> None:
    """Nothing to change: this revision only merges the branches."""
