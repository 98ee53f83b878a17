"""Scenario runs and the assessment of the replies simulated buyers read (issue 13).

Revision ID: gateway_0004
Revises: gateway_0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "gateway_0004"
down_revision = "gateway_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shop_registry.id"), nullable=False, index=True),
        sa.Column("class_id", sa.String(64), nullable=True, index=True),
        sa.Column("scenario", sa.String(80), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=True),
        sa.Column("started_wall_at", UtcDateTime(), nullable=False),
        sa.Column("ended_wall_at", UtcDateTime(), nullable=True),
        sa.Column("begins_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("reached_at", UtcDateTime(), nullable=True),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("lag_seconds", sa.Float(), nullable=True),
        sa.Column("reported_wall_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "reply_assessments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("scenario_runs.id"), nullable=False, index=True),
        sa.Column("shop_id", sa.String(64), nullable=False, index=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("buyer", sa.String(64), nullable=False),
        sa.Column("journey", sa.String(80), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=True),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=True, index=True),
        sa.Column("replied_at", UtcDateTime(), nullable=False),
        sa.Column("replied_wall_at", UtcDateTime(), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.UniqueConstraint("run_id", "seq", name="uq_reply_assessments_run_seq"),
    )


def downgrade() -> None:
    op.drop_table("reply_assessments")
    op.drop_table("scenario_runs")
