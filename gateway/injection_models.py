"""The record of injections: who injected what, where and when (one row per shop reached; an injection into a class
gives each of its shops a row with the class named; a scenario run's scripted one names the run)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models import Base
from shoplab.dbtypes import UtcDateTime


class Injection(Base):
    __tablename__ = "injections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"))
    class_id: Mapped[str | None] = mapped_column(ForeignKey("classrooms.id"))  # set when injected into a class
    kind: Mapped[str] = mapped_column(String(30))
    order_id: Mapped[str | None] = mapped_column(String(64))  # the order named or taken (none: a flood, a new buyer)
    language: Mapped[str] = mapped_column(String(16))  # of the buyers' texts
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # text, reason, questions ... as sent
    note: Mapped[str | None] = mapped_column(String(500))  # the instructor's own note
    # who: the instructor; for a scenario's, the one who started the run (none: a run the seed command started)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # the ``injection.<kind>`` event that carries it; none for a scenario's injection its owner could not take
    event_id: Mapped[str | None] = mapped_column(String(36))
    run_id: Mapped[str | None] = mapped_column(String(32))  # the scenario run that scripted it (none: a person's)
    # set when the owner found nothing to act on after all (``injection.skipped``): why
    skipped_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_injections_shop", "shop_id", "created_wall_at"),
        Index("ix_injections_class", "class_id", "created_wall_at"),
    )
