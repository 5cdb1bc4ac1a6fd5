"""Schedules of enabled flows with schedule triggers

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trigger_schedules",
        sa.Column("flow_id", sa.String(length=21), nullable=False),
        sa.Column("flow_version_id", sa.String(length=21), nullable=False),
        sa.Column("cron_expression", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("next_fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["flows.id"],
            name=op.f("fk_trigger_schedules_flow_id_flows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["flow_versions.id"],
            name=op.f("fk_trigger_schedules_flow_version_id_flow_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flow_id", name=op.f("pk_trigger_schedules")),
    )
    op.create_index(
        op.f("ix_trigger_schedules_next_fire_at"),
        "trigger_schedules",
        ["next_fire_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_trigger_schedules_next_fire_at"), table_name="trigger_schedules")
    op.drop_table("trigger_schedules")
