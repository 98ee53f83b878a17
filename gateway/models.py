"""The gateway's own tables: classes and their members, users and their sign-ins, the shop registry with each shop's
clock and seats, and the buyer keys with the customers they act as.

Every timestamp here is wall time (``*_wall_at``: people's time, audit stamps); the shop clock keeps its anchors
(``wall_anchor`` / ``sim_anchor``), as HELPERS.md's time convention says.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shoplab.dbtypes import UtcDateTime
from shoplab.shops.clock import ShopClock


class Base(DeclarativeBase):
    pass


class Classroom(Base):
    __tablename__ = "classrooms"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | instructor | student
    password_hash: Mapped[str] = mapped_column(String(255))
    class_id: Mapped[str | None] = mapped_column(ForeignKey("classrooms.id"), index=True)  # the class it came with
    student_no: Mapped[str | None] = mapped_column(String(40))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(10))  # the web pages' language, once they chose one
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ClassMember(Base):
    """Who teaches or sits in a class; a student's team, when the class works in teams."""

    __tablename__ = "class_members"

    class_id: Mapped[str] = mapped_column(ForeignKey("classrooms.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))  # instructor | student
    team: Mapped[str | None] = mapped_column(String(80))
    joined_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuthToken(Base):
    """A sign-in: the bearer token's (or browser cookie's) SHA-256, never the token itself. Revoked by sign-out, a
    password change or an instructor's reset; it expires after a school day."""

    __tablename__ = "auth_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # bearer | browser
    csrf_token: Mapped[str | None] = mapped_column(String(64))  # browser sign-ins only
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Shop(Base):
    __tablename__ = "shop_registry"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    class_id: Mapped[str | None] = mapped_column(ForeignKey("classrooms.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
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


class ShopClockChange(Base):
    """Every clock a shop has had, from its opening: the shop's calendar is piecewise (speed changes, pauses, jumps),
    so when something happened on the wall clock is told by the clock that ran then, not by today's."""

    __tablename__ = "shop_clock_changes"

    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    wall_anchor: Mapped[datetime] = mapped_column(UtcDateTime)
    sim_anchor: Mapped[datetime] = mapped_column(UtcDateTime)
    speed: Mapped[float] = mapped_column(Float)
    paused: Mapped[bool]


class ShopMember(Base):
    """A student (agent) seated in a shop; a team shares one shop."""

    __tablename__ = "shop_members"

    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class BuyerKey(Base):
    """A shop's buyer key (the simulator's, or an instructor's acting as a buyer); only its SHA-256 is kept."""

    __tablename__ = "buyer_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    issued_by: Mapped[str | None] = mapped_column(String(64))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BuyerCustomer(Base):
    """A customer of a shop that buyer keys act as: who places the orders, writes the messages, opens disputes."""

    __tablename__ = "buyer_customers"

    shop_id: Mapped[str] = mapped_column(ForeignKey("shop_registry.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
