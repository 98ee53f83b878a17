"""Reading a class list: headers in English or Chinese, UTF-8 with a BOM or GB18030, Excel numbers as text, and
every bad row named by its number."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from gateway.student_import import check_rows, read_rows
from shoplab.errors import InvalidInput


def test_csv_in_utf8_with_a_bom_and_chinese_headers_in_any_order():
    content = "\ufeff姓名,学号\n张三,2024001\n\n李四,2024002\n".encode()
    rows = read_rows("名单.csv", content)
    assert rows == [
        {"row": 2, "student_no": "2024001", "name": "张三"},
        {"row": 4, "student_no": "2024002", "name": "李四"},
    ]  # the blank line is skipped but counted


def test_gb18030_and_an_excel_number_cell():
    assert read_rows("a.csv", "学号,姓名,小组\n1,王五,甲\n".encode("gb18030"))[0]["team"] == "甲"
    book = Workbook()
    book.active.append(["Student No", "Name"])
    book.active.append([2024003.0, "赵六"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_rows("class.xlsx", buffer.getvalue())[0]["student_no"] == "2024003"


@pytest.mark.parametrize(("name", "content"), [("a.pdf", b"x"), ("a.csv", b""), ("a.csv", b"id,who\n1,x\n")])
def test_unreadable_files_are_refused_naming_the_file(name, content):
    with pytest.raises(InvalidInput) as caught:
        read_rows(name, content)
    assert "file" in caught.value.fields


def test_every_bad_row_is_named_and_good_rows_are_kept_apart():
    rows = read_rows("a.csv", b"student_no,name\n1,A\n1,B\n,C\n2,\nok-3,D\n")
    students, errors = check_rows(rows, taken={"ok-3"})
    assert [s.student_no for s in students] == ["1"]
    assert errors == {
        "3": {"student_no": ["also in row 2"]},
        "4": {"student_no": ["required"]},
        "5": {"name": ["required"]},
        "6": {"student_no": ["a user with this student number exists already"]},
    }
