"""The gateway's own tables: classes, users and the shop registry with each shop's clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shoplab.dbtypes import UtcDateTime
from shoplab.shops.clock import ShopClock


class Base(DeclarativeBase):
    pass


class Classroom(Base):
    __tablename__ = "classrooms"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # instructor | student
    password_hash: Mapped[str] = mapped_column(String(255))
    class_id: Mapped[str | None] = mapped_column(ForeignKey("classrooms.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Shop(Base):
    __tablename__ = "shop_registry"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    class_id: Mapped[str | None] = mapped_column(ForeignKey("classrooms.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    wall_anchor: Mapped[datetime] = mapped_column(UtcDateTime)
    sim_anchor: Mapped[datetime] = mapped_column(UtcDateTime)
    speed: Mapped[float] = mapped_column(Float)
    paused: Mapped[bool]
    clock_version: Mapped[int] = mapped_column(Integer)

    @property
    def clock(self) -> ShopClock:
        return ShopClock(self.wall_anchor, self.sim_anchor, self.speed, self.paused, self.clock_version)

    @clock.setter
    def clock(self, clock: ShopClock) -> None:
        self.wall_anchor = clock.wall_anchor
        self.sim_anchor = clock.sim_anchor
        self.speed = clock.speed
        self.paused = clock.paused
        self.clock_version = clock.version


class ShopMember(Base):
    """A student (agent) seated in a shop; a team shares one shop."""

    __tablename__ = "shop_members"

    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
