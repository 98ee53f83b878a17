"""The simulator's tables in the gateway: scenario runs (what instructors started, and how far the simulator got)
and the assessment of every student reply a simulated buyer read (issue 13).

Times follow the convention: ``*_at`` is the shop's clock, ``*_wall_at`` the wall clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models import Base
from shoplab.dbtypes import UtcDateTime

RUNNING, PAUSED, STOPPED, FINISHED = "running", "paused", "stopped", "finished"
ACTIVE = (RUNNING, PAUSED)


class ScenarioRun(Base):
    """One scenario played on one shop. Instructors change ``status`` and ``speed``; the simulator process reports
    ``reached_at``, ``actions``, ``replies`` and ``lag_seconds`` (and finishes the run at its end)."""

    __tablename__ = "scenario_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"), index=True)
    class_id: Mapped[str | None] = mapped_column(String(64), index=True)
    scenario: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    speed: Mapped[float] = mapped_column(Float)
    started_by: Mapped[str | None] = mapped_column(String(64))
    started_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    begins_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the shop's time when the scenario begins
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the shop time the buyers were run to
    actions: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    lag_seconds: Mapped[float | None] = mapped_column(Float)  # wall seconds the buyers were behind the clock
    reported_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReplyAssessment(Base):
    """A student's reply as the buyer read it, with every rubric item's status and evidence (``items``: JSON)."""

    __tablename__ = "reply_assessments"
    __table_args__ = (UniqueConstraint("run_id", "seq", name="uq_reply_assessments_run_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("scenario_runs.id"), index=True)
    shop_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the reply's number in its run: a repeated report is not kept twice
    buyer: Mapped[str] = mapped_column(String(64))
    journey: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    replied_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replied_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    items: Mapped[str] = mapped_column(Text)
