"""Sample data per step, templates, audit events

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = postgresql.JSON(astext_type=sa.Text())


def _times() -> list[sa.Column[object]]:
    return [
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "sample_data",
        sa.Column("id", sa.String(length=21), nullable=False),
        sa.Column("flow_id", sa.String(length=21), nullable=False),
        sa.Column("step_name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(
            ["flow_id"], ["flows.id"], name=op.f("fk_sample_data_flow_id_flows"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_data")),
        sa.UniqueConstraint("flow_id", "step_name", "type", name="uq_sample_data_flow_step_type"),
    )
    op.create_table(
        "templates",
        sa.Column("id", sa.String(length=21), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tags", _JSON, nullable=False),
        sa.Column("owner_id", sa.String(length=21), nullable=True),
        sa.Column("flow", _JSON, nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_templates_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_templates")),
    )
    op.create_index("ix_templates_created", "templates", ["created", "id"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(length=21), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.String(length=21), nullable=True),
        sa.Column("project_id", sa.String(length=21), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_action"), "audit_events", ["action"], unique=False)
    op.create_index("ix_audit_events_created", "audit_events", ["created", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_events_created", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_action"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_templates_created", table_name="templates")
    op.drop_table("templates")
    op.drop_table("sample_data")
