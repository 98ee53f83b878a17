"""Users, roles, classes and seats. Admins run the school, instructors their classes, students work in the shops
they sit in. Plain Python: every function takes a session and raises ``shoplab.errors`` exceptions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import passwords, tokens
from gateway.models import ClassMember, Classroom, Shop, ShopMember, User
from shoplab.errors import Conflict, InvalidInput, Unauthorized
from shoplab.eventbus.outbox import publish

ROLES = ("admin", "instructor", "student")


def _now() -> datetime:
    return datetime.now(UTC)


def create_classroom(session: Session, name: str, class_id: str | None = None, instructor: User | None = None):
    room = Classroom(id=class_id or uuid.uuid4().hex[:12], name=name, created_wall_at=_now())
    session.add(room)
    if instructor is not None:
        session.flush()
        join_class(session, room.id, instructor, "instructor")
    return room


def join_class(session: Session, class_id: str, user: User, role: str, team: str | None = None) -> ClassMember:
    member = session.get(ClassMember, (class_id, user.id))
    if member is None:
        member = ClassMember(class_id=class_id, user_id=user.id, role=role, team=team, joined_wall_at=_now())
        session.add(member)
    return member


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    class_id: str | None = None,
    student_no: str | None = None,
    must_change_password: bool = False,
    password_hash: str | None = None,
) -> User:
    """A new user; ``password_hash`` when the caller hashed ``password`` already (outside its transaction)."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", {"role": [f"one of {', '.join(ROLES)}"]})
    check_new_password(password, "password")
    if username_taken(session, username):
        raise Conflict(f"username {username!r} is taken", {"username": ["already taken"]})
    user = User(
        id=uuid.uuid4().hex[:12],
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=password_hash or passwords.hash_password(password),
        class_id=class_id,
        student_no=student_no,
        must_change_password=must_change_password,
        created_wall_at=_now(),
    )
    session.add(user)
    if class_id is not None and role in ("instructor", "student"):
        session.flush()
        join_class(session, class_id, user, role)
    return user


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def check_new_password(password: str, field: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise InvalidInput("password too short", {field: [f"at least {passwords.MIN_LENGTH} characters"]})


def seat_in_shop(session: Session, shop: Shop, user: User) -> bool:
    """Give a student a seat (an agent) in a shop; the service queue hears of it by ``agent.joined``, with the
    student's display name. False when the student sits there already."""
    if session.get(ShopMember, (shop.id, user.id)) is not None:
        return False
    session.add(ShopMember(shop_id=shop.id, user_id=user.id))
    publish(
        session,
        "agent.joined",
        shop_id=shop.id,
        payload={"agent_id": user.id, "shop_id": shop.id, "display_name": user.display_name, "skills": []},
    )
    return True


def authenticate(session: Session, username: str, password: str) -> User:
    """The user, if the password is theirs. An unknown username costs the same hash check as a known one."""
    user = session.scalar(select(User).where(User.username == username))
    if not passwords.verify(user.password_hash if user else None, password):
        raise Unauthorized("wrong username or password", {"password": ["wrong username or password"]})
    assert user is not None
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user's own change: the current password is checked; every sign-in of theirs is revoked."""
    if not passwords.verify(user.password_hash, current):
        raise InvalidInput("the current password is wrong", {"current_password": ["wrong password"]})
    check_new_password(new, "new_password")
    if new == current:
        raise InvalidInput("choose a new password", {"new_password": ["must differ from the current one"]})
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    tokens.revoke_all(session, user.id, _now())


def reset_password(session: Session, user: User) -> str:
    """An instructor's reset: a fresh initial password (returned, to hand over), changed at the next sign-in; every
    sign-in of the student is revoked at once."""
    password = passwords.initial_password()
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = True
    tokens.revoke_all(session, user.id, _now())
    return password


def set_locale(session: Session, user_id: str, locale: str) -> User:
    """Remember the language a person chose for the web pages."""
    user = session.get(User, user_id)
    user.locale = locale
    return user
