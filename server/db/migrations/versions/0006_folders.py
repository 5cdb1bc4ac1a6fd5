"""Folders of flows

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "folders",
        sa.Column("id", sa.String(length=21), nullable=False),
        sa.Column("project_id", sa.String(length=21), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_folders_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folders")),
        sa.UniqueConstraint("project_id", "display_name", name="uq_folders_project_name"),
    )
    op.create_index(op.f("ix_folders_project_id"), "folders", ["project_id"], unique=False)
    op.add_column("flows", sa.Column("folder_id", sa.String(length=21), nullable=True))
    op.create_index(op.f("ix_flows_folder_id"), "flows", ["folder_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_flows_folder_id_folders"),
        "flows",
        "folders",
        ["folder_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_flows_folder_id_folders"), "flows", type_="foreignkey")
    op.drop_index(op.f("ix_flows_folder_id"), table_name="flows")
    op.drop_column("flows", "folder_id")
    op.drop_index(op.f("ix_folders_project_id"), table_name="folders")
    op.drop_table("folders")
