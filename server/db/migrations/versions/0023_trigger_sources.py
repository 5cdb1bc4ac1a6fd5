"""Trigger sources: one row per enabled flow (webhook, polling or schedule), replacing trigger_schedules

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trigger_sources",
        sa.Column("flow_id", sa.String(length=21), nullable=False),
        sa.Column("project_id", sa.String(length=21), nullable=False),
        sa.Column("flow_version_id", sa.String(length=21), nullable=False),
        sa.Column("piece_name", sa.String(length=200), nullable=False),
        sa.Column("piece_version", sa.String(length=100), nullable=False),
        sa.Column("trigger_name", sa.String(length=200), nullable=False),
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.Column("cron_expression", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("next_fire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sample_data", sa.JSON(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["flows.id"],
            name=op.f("fk_trigger_sources_flow_id_flows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_trigger_sources_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["flow_versions.id"],
            name=op.f("fk_trigger_sources_flow_version_id_flow_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flow_id", name=op.f("pk_trigger_sources")),
    )
    op.create_index(
        "ix_trigger_sources_strategy_next_fire_at",
        "trigger_sources",
        ["strategy", "next_fire_at"],
        unique=False,
    )
    op.execute(
        """
        INSERT INTO trigger_sources (flow_id, project_id, flow_version_id, piece_name,
            piece_version, trigger_name, strategy, cron_expression, timezone, next_fire_at,
            consecutive_failures, created, updated)
        SELECT s.flow_id, f.project_id, s.flow_version_id,
            coalesce(v.definition -> 'trigger' -> 'settings' ->> 'pieceName', 'schedule'),
            coalesce(v.definition -> 'trigger' -> 'settings' ->> 'pieceVersion', ''),
            coalesce(v.definition -> 'trigger' -> 'settings' ->> 'triggerName', ''),
            'SCHEDULE', s.cron_expression, s.timezone, s.next_fire_at, 0, s.created, s.updated
        FROM trigger_schedules s
        JOIN flows f ON f.id = s.flow_id
        JOIN flow_versions v ON v.id = s.flow_version_id
        """
    )
    op.drop_index(op.f("ix_trigger_schedules_next_fire_at"), table_name="trigger_schedules")
    op.drop_table("trigger_schedules")
    op.add_column("flows", sa.Column("trigger_error", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("flows", "trigger_error")
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
    # Webhook and polling sources had no table before; their flows are turned on again on publish.
    op.execute(
        """
        INSERT INTO trigger_schedules (flow_id, flow_version_id, cron_expression, timezone,
            next_fire_at, created, updated)
        SELECT flow_id, flow_version_id, cron_expression, timezone, next_fire_at, created, updated
        FROM trigger_sources
        WHERE strategy = 'SCHEDULE' AND cron_expression IS NOT NULL AND next_fire_at IS NOT NULL
        """
    )
    op.drop_index("ix_trigger_sources_strategy_next_fire_at", table_name="trigger_sources")
    op.drop_table("trigger_sources")
