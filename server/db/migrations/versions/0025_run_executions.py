"""Run executions: a number that grows each time a run starts RUNNING

An execution's checkpoints and its end are written only while the run's number is still the
one it started with: a worker taken for dead whose engine goes on cannot overwrite the run
another worker took over.

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "flow_runs", sa.Column("execution", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("flow_runs", "execution")
