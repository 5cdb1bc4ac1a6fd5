"""Active runs index: QUEUED and RUNNING runs by project, for the concurrency count and the sweeper

Without it, every run start counted the project's RUNNING runs by reading all of its runs, and
the sweeper read the whole table: both grew with the run history.

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_flow_runs_active",
        "flow_runs",
        ["project_id", "status"],
        postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
    )


def downgrade() -> None:
    op.drop_index("ix_flow_runs_active", table_name="flow_runs")
