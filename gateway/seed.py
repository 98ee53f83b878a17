"""The demo class that ``make run`` seeds: an admin, an instructor, four students, and a shop per student on each
platform. The instructor teaches the class, so they reach its shops and may issue their buyer keys.

Idempotent: a second run finds the class and only reports the logins (and adds the admin to an older seed). The
command (``python -m gateway.seed``, what ``make run`` and compose run) also starts the demo scenario on every demo
shop where none is running.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import accounts, shops
from gateway.models import Classroom, Shop, User

DEMO_CLASS_ID = "demo-class"
DEMO_SCENARIO = "demo_living_queue"
ADMIN = ("admin", "admin-demo", "管理员 (Admin)")
INSTRUCTOR = ("teacher", "teacher-demo", "王老师 (Ms Wang)")
STUDENT_PASSWORD = "student-demo"
STUDENT_SHOPS = [
    ("student1", "李明 (Li Ming)", "小李的淘宝店 Li's Taobao shop", "taobao"),
    ("student2", "张伟 (Zhang Wei)", "Zhang's AliExpress store", "aliexpress"),
    ("student3", "陈静 (Chen Jing)", "Chen's Amazon storefront", "amazon"),
    ("student4", "刘洋 (Liu Yang)", "Liu's eBay shop", "ebay"),
]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    shop: str | None = None


def seed_demo(session: Session) -> list[Login]:
    logins = [Login(ADMIN[0], ADMIN[1], "admin"), Login(INSTRUCTOR[0], INSTRUCTOR[1], "instructor")] + [
        Login(username, STUDENT_PASSWORD, "student", shop_name) for username, _, shop_name, _ in STUDENT_SHOPS
    ]
    if not accounts.username_taken(session, ADMIN[0]):
        accounts.create_user(session, username=ADMIN[0], password=ADMIN[1], role="admin", display_name=ADMIN[2])
    if session.get(Classroom, DEMO_CLASS_ID) is not None:
        return logins
    accounts.create_classroom(session, "演示班 Demo class", class_id=DEMO_CLASS_ID)
    teacher = accounts.create_user(
        session, username=INSTRUCTOR[0], password=INSTRUCTOR[1], role="instructor",
        display_name=INSTRUCTOR[2], class_id=DEMO_CLASS_ID,
    )  # fmt: skip
    session.flush()
    for username, display_name, shop_name, platform in STUDENT_SHOPS:
        student = accounts.create_user(
            session, username=username, password=STUDENT_PASSWORD, role="student",
            display_name=display_name, class_id=DEMO_CLASS_ID,
        )  # fmt: skip
        shop = shops.open_shop(
            session, name=shop_name, platform=platform, class_id=DEMO_CLASS_ID, created_by=teacher.id
        )
        session.flush()
        accounts.seat_in_shop(session, shop, student)
    return logins


def start_demo_scenario(session: Session) -> list[str]:
    """The demo class's living queue: ``demo_living_queue`` on every demo shop with no scenario running (so a
    newcomer who signs in sees buyers ordering and asking within a minute, and a later ``make run`` starts it again
    once it ended). The shops it started on."""
    from gateway import scenario_runs

    idle = [shop for shop in demo_shops(session) if scenario_runs.active_run(session, shop.id) is None]
    if idle:
        scenario_runs.start_runs(session, idle, scenario_name=DEMO_SCENARIO, seed=None, speed=None, by=None)
    return [shop.id for shop in idle]


def demo_shops(session: Session) -> list[Shop]:
    return list(session.scalars(select(Shop).where(Shop.class_id == DEMO_CLASS_ID).order_by(Shop.name)))


def demo_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.class_id == DEMO_CLASS_ID)))


def main(argv: list[str] | None = None) -> None:
    """``python -m gateway.seed``: seed the demo class (once) and print its logins, one a line; ``--json`` prints
    them as JSON objects (what the supervisor reads)."""
    import json
    import sys
    from dataclasses import asdict

    from gateway.service import SPEC
    from shoplab.plumbing.runtime import ServiceRuntime

    as_json = "--json" in (sys.argv[1:] if argv is None else argv)
    runtime = ServiceRuntime(SPEC)
    runtime.migrate()
    with runtime.db.writing() as session:
        logins = seed_demo(session)
    with runtime.db.writing() as session:
        start_demo_scenario(session)  # the simulator process (make run, compose) picks the runs up
    for login in logins:
        shop = f"  ({login.shop})" if login.shop else ""
        print(
            json.dumps(asdict(login), ensure_ascii=False)
            if as_json
            else f"{login.role}: {login.username} / {login.password}{shop}"
        )


if __name__ == "__main__":
    main()
