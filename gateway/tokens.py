"""Sign-in tokens: opaque random strings, kept in the gateway's database as their SHA-256 only.

Nothing is trusted from inside a token: each request looks its hash up and reads the user's role from the ``users``
row (an instructor who became a student, a reset password, a sign-out take effect at the next request). A token
lives a school day (``TOKEN_LIFETIME``); sign-out revokes it, a password change or an instructor's reset revokes
every token of the user. Browser sign-ins are the same rows (``kind = 'browser'``) with their CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, exists, literal, or_, select, update
from sqlalchemy.orm import Session

from gateway.models import AuthToken, User

TOKEN_LIFETIME = timedelta(hours=12)  # a school day
KINDS = ("bearer", "browser")


@dataclass(frozen=True)
class Identity:
    """The signed-in person of one request, as the database says now."""

    user_id: str
    username: str
    display_name: str
    role: str  # admin | instructor | student
    class_id: str | None
    must_change_password: bool
    token_id: str
    kind: str  # bearer | browser
    csrf_token: str | None = None
    reaches_shop: bool | None = None  # of the shop in the request's path, read with the sign-in

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_instructor(self) -> bool:
        """Instructors and admins: they run classes and shops."""
        return self.role in ("instructor", "admin")

    @property
    def is_student(self) -> bool:
        return self.role == "student"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, now: datetime, kind: str = "bearer") -> tuple[str, AuthToken]:
    """A new sign-in for ``user``: the token (shown once) and its row."""
    token = secrets.token_urlsafe(32)
    row = AuthToken(
        id=digest(token),
        user_id=user.id,
        kind=kind,
        csrf_token=secrets.token_urlsafe(24) if kind == "browser" else None,
        created_wall_at=now,
        expires_wall_at=now + TOKEN_LIFETIME,
        revoked_wall_at=None,
    )
    session.add(row)
    return token, row


def _identify_statement(in_shop: bool):
    """One statement for a request: the sign-in, its user, and (inside a shop) whether the user reaches the shop.
    Built once: building it cost as much as running it."""
    from gateway.models import ClassMember, Shop, ShopMember

    shop_id = bindparam("shop_id")
    if not in_shop:
        seated = taught = found = literal(False)
    else:
        seated = exists().where(ShopMember.shop_id == shop_id, ShopMember.user_id == User.id)
        # correlated to the outer query's user: without it, SQLAlchemy would add ``users`` to this FROM (any user)
        taught_classes = (
            select(ClassMember.class_id)
            .where(ClassMember.user_id == User.id, ClassMember.role == "instructor")
            .correlate(User)
        )
        taught = exists().where(Shop.id == shop_id, or_(Shop.created_by == User.id, Shop.class_id.in_(taught_classes)))
        found = exists().where(Shop.id == shop_id)
    return (
        select(
            AuthToken.id, AuthToken.kind, AuthToken.csrf_token, AuthToken.expires_wall_at, User.id, User.username,
            User.display_name, User.role, User.class_id, User.must_change_password, seated, taught, found,
        )
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.id == bindparam("token_id"), AuthToken.revoked_wall_at.is_(None))
    )  # fmt: skip


_STATEMENTS: dict[bool, object] = {}


def identify(
    connection: Connection | Session, token: str, now: datetime, kind: str = "bearer", shop_id: str | None = None
) -> Identity | None:
    """The person behind a token, or None when it is unknown, revoked, expired or of the other kind; with
    ``shop_id``, :attr:`Identity.reaches_shop` says whether they reach that shop (read in the same statement)."""
    if not token or len(token) > 200:
        return None
    in_shop = shop_id is not None
    if in_shop not in _STATEMENTS:
        _STATEMENTS[in_shop] = _identify_statement(in_shop)
    parameters = {"token_id": digest(token), **({"shop_id": shop_id} if in_shop else {})}
    row = connection.execute(_STATEMENTS[in_shop], parameters).first()
    if row is None or row[1] != kind or row[3] <= now:
        return None
    token_id, kind, csrf, _expires, user_id, username, display_name, role, class_id, must_change = row[:10]
    seated, taught, found = row[10:]
    reach = {"admin": found, "instructor": taught}.get(role, seated) if in_shop else None
    reach = None if reach is None else bool(reach)
    return Identity(user_id, username, display_name, role, class_id, must_change, token_id, kind, csrf, reach)


def revoke(session: Session, token_id: str, now: datetime) -> None:
    session.execute(
        update(AuthToken)
        .where(AuthToken.id == token_id, AuthToken.revoked_wall_at.is_(None))
        .values(revoked_wall_at=now)
    )


def revoke_all(session: Session, user_id: str, now: datetime) -> int:
    """Every live sign-in of the user (a password change or reset); how many there were."""
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_wall_at.is_(None))
        .values(revoked_wall_at=now)
    )
    return result.rowcount or 0
