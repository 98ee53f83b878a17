"""Users, roles and sign-in tokens. Instructors run classes and shops; students work in the shops they sit in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gateway.models import Classroom, Shop, ShopMember, User
from shoplab.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from shoplab.eventbus.outbox import publish

ROLES = ("instructor", "student")
TOKEN_MAX_AGE_SECONDS = 12 * 3600  # a school day


@dataclass(frozen=True)
class Identity:
    user_id: str
    username: str
    role: str
    class_id: str | None

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


def create_classroom(session: Session, name: str, class_id: str | None = None) -> Classroom:
    room = Classroom(id=class_id or uuid.uuid4().hex[:12], name=name, created_at=datetime.now(UTC))
    session.add(room)
    return room


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    class_id: str | None = None,
) -> User:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", {"role": [f"one of {', '.join(ROLES)}"]})
    if len(password) < 8:
        raise InvalidInput("password too short", {"password": ["at least 8 characters"]})
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken", {"username": ["already taken"]})
    user = User(
        id=uuid.uuid4().hex[:12],
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=generate_password_hash(password),
        class_id=class_id,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    return user


def seat_in_shop(session: Session, shop: Shop, user: User) -> None:
    """Give a student a seat (an agent) in a shop; the service queue hears of it by ``agent.joined``."""
    if session.get(ShopMember, (shop.id, user.id)) is not None:
        return
    session.add(ShopMember(shop_id=shop.id, user_id=user.id))
    publish(
        session,
        "agent.joined",
        shop_id=shop.id,
        payload={"agent_id": user.id, "shop_id": shop.id, "display_name": user.display_name, "skills": []},
    )


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not check_password_hash(user.password_hash, password):
        raise Unauthorized("wrong username or password", {"password": ["wrong username or password"]})
    return user


class Tokens:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="shoplab-login")

    def issue(self, user: User) -> str:
        return self._serializer.dumps(
            {"user_id": user.id, "username": user.username, "role": user.role, "class_id": user.class_id}
        )

    def read(self, token: str) -> Identity:
        try:
            data = self._serializer.loads(token, max_age=TOKEN_MAX_AGE_SECONDS)
        except SignatureExpired as exc:
            raise Unauthorized("your session has expired; sign in again") from exc
        except BadSignature as exc:
            raise Unauthorized("invalid token") from exc
        return Identity(**data)


def visible_shop(session: Session, who: Identity, shop_id: str) -> Shop:
    """The shop, if this person may see it: instructors their classes' shops, students the shops they sit in."""
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(f"no shop {shop_id}", {"shop_id": ["unknown shop"]})
    if who.is_instructor:
        if shop.class_id is None or shop.class_id == who.class_id or shop.created_by == who.user_id:
            return shop
    elif session.get(ShopMember, (shop_id, who.user_id)) is not None:
        return shop
    raise Forbidden("this shop is not yours", {"shop_id": ["not a shop you may see"]})


def require_instructor(who: Identity) -> None:
    if not who.is_instructor:
        raise Forbidden("only instructors may do this", {"role": ["instructor required"]})
