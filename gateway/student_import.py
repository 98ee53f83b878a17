"""Reading a class list: a CSV or Excel (.xlsx) file with a header row and one student a row.

Columns (English or Chinese headers, any order, case-insensitive): ``student_no`` (学号), ``name`` (姓名) and an
optional ``team`` (小组). CSV may be UTF-8 (with or without Excel's BOM) or GB18030 (what Excel writes on a Chinese
Windows). Every row is checked before anything is written; errors come back per row number as the file counts them
(the header is row 1), and a file with any error imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from shoplab.errors import InvalidInput

MAX_ROWS = 500
HEADERS = {
    "student_no": ("student_no", "student number", "student no", "number", "学号"),
    "name": ("name", "student name", "姓名", "名字"),
    "team": ("team", "group", "小组", "组", "团队"),
}
_STUDENT_NO = re.compile(r"^[\w.-]{1,40}$")


@dataclass(frozen=True)
class StudentRow:
    row: int
    student_no: str
    name: str
    team: str | None


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts keyed by our column names, each with its ``row`` number."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = _xlsx_table(content)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        table = list(csv.reader(io.StringIO(_decode(content))))
    else:
        raise InvalidInput("send a .csv or .xlsx file", {"file": ["a .csv or .xlsx file"]})
    if not table:
        raise InvalidInput("the file is empty", {"file": ["no header row"]})
    columns = _columns(table[0])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {name: (cells[index] if index < len(cells) else "") for name, index in columns.items()}
        values = {name: str(value if value is not None else "").strip() for name, value in values.items()}
        if any(values.values()):
            rows.append({"row": number, **values})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} students a file", {"file": [f"{len(rows)} rows"]})
    return rows


def check_rows(rows: list[dict[str, str]], taken: set[str]) -> tuple[list[StudentRow], dict[str, dict]]:
    """The rows as students, and the errors per row number (``taken``: usernames that exist already)."""
    students, errors, seen = [], {}, {}
    for values in rows:
        number, row_errors = values["row"], {}
        student_no, name, team = values.get("student_no", ""), values.get("name", ""), values.get("team") or None
        if not student_no:
            row_errors["student_no"] = ["required"]
        elif not _STUDENT_NO.match(student_no):
            row_errors["student_no"] = ["letters, digits, '.', '_' or '-', at most 40"]
        elif student_no in seen:
            row_errors["student_no"] = [f"also in row {seen[student_no]}"]
        elif student_no in taken:
            row_errors["student_no"] = ["a user with this student number exists already"]
        if not name:
            row_errors["name"] = ["required"]
        elif len(name) > 200:
            row_errors["name"] = ["at most 200 characters"]
        if team and len(team) > 80:
            row_errors["team"] = ["at most 80 characters"]
        seen.setdefault(student_no, number)
        if row_errors:
            errors[str(number)] = row_errors
        else:
            students.append(StudentRow(number, student_no, name, team))
    return students, errors


def _columns(header: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = str(cell or "").strip().lower().lstrip("\ufeff")
        for name, aliases in HEADERS.items():
            if label in aliases and name not in found:
                found[name] = index
    missing = [name for name in ("student_no", "name") if name not in found]
    if missing:
        raise InvalidInput(
            "the header row must name the columns",
            {"file": [f"missing column {', '.join(missing)}: header row student_no,name[,team] or 学号,姓名[,小组]"]},
        )
    return found


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the CSV file is neither UTF-8 nor GB18030", {"file": ["unknown text encoding"]})


def _xlsx_table(content: bytes) -> list[list]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput("the file is not an Excel workbook (.xlsx)", {"file": [str(exc)[:200]]}) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a student number typed as a number: 2024001.0 -> 2024001
    return "" if value is None else str(value)
