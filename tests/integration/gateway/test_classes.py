"""Classes: an instructor imports a class list (CSV or Excel; errors per row, nothing half-imported), gives each
student or each team a shop, and every student becomes an agent of their shop with their display name."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook
from sqlalchemy import func, select

from gateway.models import Shop, User
from shoplab.eventbus.tables import OutboxMessage


def _count(stack, model) -> int:
    with stack.runtime("gateway").db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _new_class(stack, teacher) -> str:
    response = stack.client("gateway").post("/api/v1/classes", json={"name": "电商客服 2 班"}, headers=teacher)
    assert response.status_code == 201
    return response.get_json()["id"]


def _upload(stack, teacher, class_id, name: str, content: bytes):
    return stack.client("gateway").post(
        f"/api/v1/classes/{class_id}/students/import",
        data={"file": (io.BytesIO(content), name)},
        headers=teacher,
        content_type="multipart/form-data",
    )


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_row(stack):
    teacher = stack.sign_in()
    class_id = _new_class(stack, teacher)
    users, events = _count(stack, User), _count(stack, OutboxMessage)
    csv = (
        "学号,姓名,小组\n"
        "2024001,张三,A\n"
        ",没有学号,A\n"  # row 3: no student number
        "2024003,,B\n"  # row 4: no name
        "2024001,重复,B\n"  # row 5: the same number as row 2
        "student1,已存在,B\n"  # row 6: a username taken already
        "bad number!,名字,B\n"  # row 7
    ).encode("gb18030")  # as Excel on a Chinese Windows writes it
    response = _upload(stack, teacher, class_id, "名单.csv", csv)
    assert response.status_code == 422
    rows = response.get_json()["fields"]["rows"]
    assert set(rows) == {"3", "4", "5", "6", "7"}
    assert rows["3"] == {"student_no": ["required"]} and rows["4"] == {"name": ["required"]}
    assert rows["5"]["student_no"] == ["also in row 2"] and "exists" in rows["6"]["student_no"][0]
    assert (_count(stack, User), _count(stack, OutboxMessage)) == (users, events)

    missing = _upload(stack, teacher, class_id, "list.csv", b"number,nom\n1,x\n")
    assert missing.status_code == 422 and "file" in missing.get_json()["fields"]
    not_excel = _upload(stack, teacher, class_id, "list.xlsx", b"not a workbook")
    assert not_excel.status_code == 422 and "file" in not_excel.get_json()["fields"]


def test_an_excel_list_in_teams_gets_one_shop_per_team_and_every_student_an_agent(stack):
    teacher = stack.sign_in()
    gateway = stack.client("gateway")
    class_id = _new_class(stack, teacher)
    rows = [["student_no", "name", "team"], [2024101, "王芳", "红队"], [2024102, "刘强", "红队"]]
    content = _xlsx([*rows, [2024103, "赵敏", "蓝队"]])
    response = _upload(stack, teacher, class_id, "class.xlsx", content)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()["created"]
    assert [s["username"] for s in created] == ["2024101", "2024102", "2024103"]  # a number cell, read as text
    assert all(len(s["initial_password"]) == 12 for s in created)

    shops = gateway.post(f"/api/v1/classes/{class_id}/shops", json={"platform": "aliexpress", "mode": "team"},
                         headers=teacher)  # fmt: skip
    assert shops.status_code == 201
    assert sorted(s["team"] for s in shops.get_json()) == ["红队", "蓝队"]
    detail = gateway.get(f"/api/v1/classes/{class_id}", headers=teacher).get_json()
    seats = {s["name"]: s["shops"] for s in detail["students"]}
    assert seats["王芳"] == seats["刘强"] != seats["赵敏"] and len(seats["赵敏"]) == 1
    with stack.runtime("gateway").db.reading() as session:
        joined = [json.loads(m) for m in session.scalars(
            select(OutboxMessage.message).where(OutboxMessage.type == "agent.joined")
        )]  # fmt: skip
    names = {e["payload"]["display_name"] for e in joined if e["shop_id"] in {s["id"] for s in shops.get_json()}}
    assert names == {"王芳", "刘强", "赵敏"}

    # individual shops for a class whose students sit nowhere yet; a second call opens nothing more
    other = _new_class(stack, teacher)
    added = gateway.post(f"/api/v1/classes/{other}/students", json={"student_no": "2024201", "name": "孙丽"},
                         headers=teacher)  # fmt: skip
    assert added.status_code == 201
    first = gateway.post(f"/api/v1/classes/{other}/shops", json={"platform": "ebay"}, headers=teacher)
    assert len(first.get_json()) == 1 and first.get_json()[0]["class_id"] == other
    assert gateway.post(f"/api/v1/classes/{other}/shops", json={"platform": "ebay"}, headers=teacher).get_json() == []


def test_bad_shop_and_clock_input_is_named_and_writes_nothing(stack):
    teacher = stack.sign_in()
    gateway = stack.client("gateway")
    shops, events = _count(stack, Shop), _count(stack, OutboxMessage)
    unknown = gateway.post("/api/v1/shops", json={"name": "x", "platform": "taobao", "class_id": "nope"},
                           headers=teacher)  # fmt: skip
    assert unknown.status_code == 404 and "class_id" in unknown.get_json()["fields"]
    shop_id = gateway.get("/api/v1/shops", headers=teacher).get_json()[0]["id"]
    version = gateway.get(f"/api/v1/shops/{shop_id}", headers=teacher).get_json()["clock"]["version"]
    for body in ({}, {"advance_seconds": 0}):
        empty = gateway.post(f"/api/v1/shops/{shop_id}/clock", json=body, headers=teacher)
        assert empty.status_code == 422 and "speed" in empty.get_json()["fields"]
    assert gateway.get(f"/api/v1/shops/{shop_id}", headers=teacher).get_json()["clock"]["version"] == version
    assert (_count(stack, Shop), _count(stack, OutboxMessage)) == (shops, events)
