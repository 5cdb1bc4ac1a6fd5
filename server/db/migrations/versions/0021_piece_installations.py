"""Piece wheels installed by platform admins, shared by every server and worker

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "piece_installations",
        sa.Column("id", sa.String(length=21), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("wheel", sa.LargeBinary(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piece_installations")),
        sa.UniqueConstraint("name", "version", name="uq_piece_installations_name_version"),
    )


def downgrade() -> None:
    op.drop_table("piece_installations")
