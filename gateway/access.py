"""Tenancy: which classes and shops a person reaches, read from the gateway's database on every request.

- an admin reaches every class and shop;
- an instructor the classes they teach and every shop of those classes (and the shops they opened themselves);
- a student the shops they sit in (and the classes they belong to).

Anything outside a person's reach is a 404, exactly as if it did not exist: a 403 would confirm that it does.
A 403 is only for a role refused on something the person does reach (a student changing their own shop's clock).
"""

from __future__ import annotations

import re

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from gateway.models import ClassMember, Classroom, Shop, ShopMember
from gateway.tokens import Identity
from shoplab.errors import Forbidden, NotFound


def _taught(who: Identity):
    return select(ClassMember.class_id).where(ClassMember.user_id == who.user_id, ClassMember.role == "instructor")


def shops_visible_to(who: Identity) -> Select:
    """A query of the shops this person reaches, oldest first."""
    stmt = select(Shop).order_by(Shop.created_wall_at, Shop.id)
    if who.is_admin:
        return stmt
    if who.is_instructor:
        return stmt.where(or_(Shop.class_id.in_(_taught(who)), Shop.created_by == who.user_id))
    return stmt.join(ShopMember, ShopMember.shop_id == Shop.id).where(ShopMember.user_id == who.user_id)


def reaches_shop(session: Session, who: Identity, shop_id: str) -> bool:
    """One indexed lookup: does this person reach the shop?"""
    if who.is_admin:
        return session.scalar(select(exists().where(Shop.id == shop_id)))
    if who.is_instructor:
        return session.scalar(
            select(
                exists().where(Shop.id == shop_id, or_(Shop.class_id.in_(_taught(who)), Shop.created_by == who.user_id))
            )
        )
    return session.scalar(select(exists().where(ShopMember.shop_id == shop_id, ShopMember.user_id == who.user_id)))


def visible_shop(session: Session, who: Identity, shop_id: str) -> Shop:
    """The shop, if this person reaches it; else 404."""
    shop = session.get(Shop, shop_id)
    if shop is None or not reaches_shop(session, who, shop_id):
        raise not_found_shop(shop_id)
    return shop


def not_found_shop(shop_id: str) -> NotFound:
    return NotFound(f"no shop {shop_id}", {"shop_id": ["unknown shop"]})


def classes_visible_to(who: Identity) -> Select:
    stmt = select(Classroom).order_by(Classroom.created_wall_at, Classroom.id)
    if who.is_admin:
        return stmt
    mine = select(ClassMember.class_id).where(ClassMember.user_id == who.user_id)
    return stmt.where(Classroom.id.in_(mine))


def taught_class(session: Session, who: Identity, class_id: str | None, field: str = "class_id") -> Classroom:
    """A class this instructor teaches (admins: any class); else 404 naming the field."""
    room = session.get(Classroom, class_id) if class_id else None
    if room is not None and (who.is_admin or _teaches(session, who, room)):
        return room
    raise NotFound(f"no class {class_id}", {field: ["unknown class"]})


def _teaches(session: Session, who: Identity, room: Classroom) -> bool:
    member = session.get(ClassMember, (room.id, who.user_id))
    return member is not None and member.role == "instructor"


_SHOP_PATH = re.compile(r"^/api/v1/shops/([^/]+)(?:/|$)")
_CLASS_PATH = re.compile(r"^/api/v1/classes/([^/]+)(?:/|$)")


def fenced_id(path: str) -> tuple[str, str] | None:
    """("shop" | "class", id) when the path is inside one shop or one class of the signed-in API."""
    for kind, pattern in (("shop", _SHOP_PATH), ("class", _CLASS_PATH)):
        match = pattern.match(path)
        if match:
            return kind, match.group(1)
    return None


_BUYER_SHOP_PATH = re.compile(r"^/api/v1/buyer/shops/([^/]+)/")


def buyer_shop_id(path: str) -> str | None:
    """The shop of a path inside the buyer API (``/api/v1/buyer/shops/<shop_id>/...``)."""
    match = _BUYER_SHOP_PATH.match(path)
    return match.group(1) if match else None


def reaches_class(session: Session, who: Identity, class_id: str) -> bool:
    """Teachers and members of the class (members who are not its teachers get 403 from the class's routes)."""
    if who.is_admin:
        return session.get(Classroom, class_id) is not None
    return session.get(ClassMember, (class_id, who.user_id)) is not None


def require_instructor(who: Identity) -> None:
    if not who.is_instructor:
        raise Forbidden("only instructors may do this", {"role": ["instructor required"]})


def require_admin(who: Identity) -> None:
    if not who.is_admin:
        raise Forbidden("only admins may do this", {"role": ["admin required"]})
