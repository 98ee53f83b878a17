"""A class's students and shops: adding students (one by one or a whole list), giving each student or each team a
shop on a platform, and the class as an instructor sees it."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import accounts, passwords, shops
from gateway.models import ClassMember, Classroom, Shop, ShopMember, User
from gateway.student_import import StudentRow
from shoplab.errors import InvalidInput


def hashed_initial_passwords(count: int) -> list[tuple[str, str]]:
    """(password, hash) pairs, made before the write transaction: each hash takes a noticeable moment."""
    pairs = []
    for _ in range(count):
        password = passwords.initial_password()
        pairs.append((password, passwords.hash_password(password)))
    return pairs


def add_students(
    session: Session, room: Classroom, students: list[StudentRow], credentials: list[tuple[str, str]]
) -> list[dict]:
    """Create each student (username = student number, must change the password at first sign-in) in the class."""
    created = []
    for student, (password, password_hash) in zip(students, credentials, strict=True):
        if accounts.username_taken(session, student.student_no):
            raise InvalidInput(
                "a student number is taken", {"rows": {str(student.row): {"student_no": ["exists already"]}}}
            )
        user = accounts.create_user(
            session,
            username=student.student_no,
            password=password,
            role="student",
            display_name=student.name,
            class_id=room.id,
            student_no=student.student_no,
            must_change_password=True,
            password_hash=password_hash,
        )
        session.flush()
        accounts.join_class(session, room.id, user, "student", student.team).team = student.team
        created.append(student_view(user, student.team, [], password))
    return created


def give_shops(session: Session, room: Classroom, *, platform: str, mode: str, speed: float, by: str) -> list[Shop]:
    """A shop for each student without one in this class (``individual``), or one shared shop per team (``team``:
    members who joined later are seated in their team's shop). Seats publish ``agent.joined``."""
    members = session.execute(
        select(User, ClassMember.team)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == room.id, ClassMember.role == "student")
        .order_by(User.student_no, User.username)
    ).all()
    seated = set(
        session.scalars(
            select(ShopMember.user_id).join(Shop, Shop.id == ShopMember.shop_id).where(Shop.class_id == room.id)
        )
    )
    opened: list[Shop] = []
    if mode == "individual":
        for user, _team in members:
            if user.id not in seated:
                shop = shops.open_shop(
                    session, name=f"{user.display_name} · {platform}", platform=platform, class_id=room.id,
                    created_by=by, speed=speed,
                )  # fmt: skip
                session.flush()
                accounts.seat_in_shop(session, shop, user)
                opened.append(shop)
        return opened
    teams: dict[str, list[User]] = defaultdict(list)
    loners = [user.username for user, team in members if not team]
    if loners:
        raise InvalidInput("every student needs a team for team shops", {"team": [f"no team: {', '.join(loners)}"]})
    for user, team in members:
        teams[team].append(user)
    existing = {
        s.team: s for s in session.scalars(select(Shop).where(Shop.class_id == room.id, Shop.team.is_not(None)))
    }
    for team, users in teams.items():
        shop = existing.get(team)
        if shop is None:
            shop = shops.open_shop(
                session, name=f"{team} · {platform}", platform=platform, class_id=room.id, created_by=by,
                speed=speed, team=team,
            )  # fmt: skip
            session.flush()
            opened.append(shop)
        for user in users:
            accounts.seat_in_shop(session, shop, user)
    return opened


def class_detail(session: Session, room: Classroom) -> dict:
    rows = session.execute(
        select(User, ClassMember.role, ClassMember.team)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == room.id)
        .order_by(User.student_no, User.username)
    ).all()
    seats: dict[str, list[str]] = defaultdict(list)
    for user_id, shop_id in session.execute(
        select(ShopMember.user_id, ShopMember.shop_id)
        .join(Shop, Shop.id == ShopMember.shop_id)
        .where(Shop.class_id == room.id)
    ):
        seats[user_id].append(shop_id)
    return {
        "id": room.id,
        "name": room.name,
        "created_wall_at": room.created_wall_at,
        "instructors": [
            {"user_id": u.id, "username": u.username, "name": u.display_name}
            for u, role, _ in rows
            if role == "instructor"
        ],
        "students": [student_view(u, team, seats[u.id]) for u, role, team in rows if role == "student"],
        "shops": list(session.scalars(select(Shop.id).where(Shop.class_id == room.id).order_by(Shop.created_wall_at))),
    }


def student_view(user: User, team: str | None, shop_ids: list[str], initial_password: str | None = None) -> dict:
    view = {
        "user_id": user.id,
        "username": user.username,
        "student_no": user.student_no,
        "name": user.display_name,
        "team": team,
        "shops": shop_ids,
    }
    if initial_password:
        view["initial_password"] = initial_password
    return view
