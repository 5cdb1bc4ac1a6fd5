"""Durable run logs, offloaded step outputs, waitpoints

Revision ID: 0020
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("flow_runs", sa.Column("log_state", postgresql.JSON(), nullable=True))
    op.create_table(
        "run_log_entries",
        sa.Column("run_id", sa.String(length=21), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("record", postgresql.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["flow_runs.id"],
            name=op.f("fk_run_log_entries_run_id_flow_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_run_log_entries")),
    )
    op.create_table(
        "run_outputs",
        sa.Column("ref", sa.String(length=300), nullable=False),
        sa.Column("run_id", sa.String(length=21), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["flow_runs.id"],
            name=op.f("fk_run_outputs_run_id_flow_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_run_outputs")),
    )
    op.create_index(op.f("ix_run_outputs_run_id"), "run_outputs", ["run_id"], unique=False)
    op.create_table(
        "waitpoints",
        sa.Column("id", sa.String(length=21), nullable=False),
        sa.Column("run_id", sa.String(length=21), nullable=False),
        sa.Column("step_path", sa.String(length=500), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resume_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_to_send", postgresql.JSON(), nullable=True),
        sa.Column("resume_payload", postgresql.JSON(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["flow_runs.id"],
            name=op.f("fk_waitpoints_run_id_flow_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitpoints")),
        sa.UniqueConstraint("run_id", "step_path", name=op.f("uq_waitpoints_run_id")),
    )
    op.create_index(op.f("ix_waitpoints_run_id"), "waitpoints", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_waitpoints_run_id"), table_name="waitpoints")
    op.drop_table("waitpoints")
    op.drop_index(op.f("ix_run_outputs_run_id"), table_name="run_outputs")
    op.drop_table("run_outputs")
    op.drop_table("run_log_entries")
    op.drop_column("flow_runs", "log_state")
