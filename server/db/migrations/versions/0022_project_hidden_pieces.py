"""Pieces hidden per project

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_hidden_pieces",
        sa.Column("project_id", sa.String(length=21), nullable=False),
        sa.Column("piece_name", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_hidden_pieces_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "piece_name", name=op.f("pk_project_hidden_pieces")),
    )


def downgrade() -> None:
    op.drop_table("project_hidden_pieces")
