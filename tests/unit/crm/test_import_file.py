"""Reading a transaction history: every row checked, every problem named by line and field."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook

from services.crm import import_file
from shoplab.errors import InvalidInput

NOW = datetime(2026, 11, 11, 12, tzinfo=UTC)


def read(text: str):
    fmt, table = import_file.read_table("history.csv", text.encode("utf-8"))
    return import_file.transactions(table, NOW)


def test_good_rows_in_several_date_forms_and_headers():
    txs = read("Customer ID,Date,Amount,Country\n00001,19970101,11.77,us\n00002,1997/01/12,12,\n"
               "00002,2026-11-11 10:30,0.00,CN\nc4,2026-01-01T08:00:00+08:00,1.5,\n")  # fmt: skip
    assert [(t.customer_id, t.amount_cents, t.country) for t in txs] == [
        ("00001", 1177, "US"), ("00002", 1200, None), ("00002", 0, "CN"), ("c4", 150, None)
    ]  # fmt: skip
    assert txs[0].at == datetime(1997, 1, 1, tzinfo=UTC)
    assert txs[3].at == datetime(2026, 1, 1, 0, tzinfo=UTC)  # the offset is honoured
    assert read("客户,日期,金额\n张三,2026-01-02,5\n")[0].customer_id == "张三"


def test_bad_rows_are_each_named_by_line_and_field():
    with pytest.raises(InvalidInput) as caught:
        read("customer,date,amount,country\n"
             "ok,2026-01-01,1.00,CN\n"
             ",2026-01-01,1.00,\n"
             "c2,1989-12-31,1.00,\n"
             "c3,2027-01-01,1.00,\n"
             "c4,2026-02-30,1.00,\n"
             "c5,2026-01-01,1.234,\n"
             "c6,2026-01-01,-1,\n"
             "c7,2026-01-01,1e30,\n"
             "c8,2026-01-01,abc,CHN\n"
             f"{'x' * 65},2026-01-01,1,\n")  # fmt: skip
    rows = caught.value.fields["rows"]
    assert set(rows) == {"3", "4", "5", "6", "7", "8", "9", "10", "11"}
    assert list(rows["3"]) == ["customer"] and list(rows["4"]) == ["date"] and list(rows["5"]) == ["date"]
    assert "1990" in rows["4"]["date"][0] and "after the shop's now" in rows["5"]["date"][0]
    assert list(rows["7"]) == ["amount"] and "two decimal" in rows["7"]["amount"][0]
    assert list(rows["9"]) == ["amount"] and set(rows["10"]) == {"amount", "country"}
    assert caught.value.details["invalid_rows"] == 9


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("customer,date\nc1,2026-01-01\n", "missing column: amount"),
    ("customer,date,amount\n", "no transactions"),
])  # fmt: skip
def test_bad_files_name_the_file(text, message):
    with pytest.raises(InvalidInput) as caught:
        read(text)
    assert any(message in m for m in caught.value.fields["file"])


def test_not_utf8_and_not_a_workbook_and_other_extensions():
    with pytest.raises(InvalidInput, match="UTF-8"):
        import_file.read_table("h.csv", "customer,date,amount\n张,2026-01-01,1\n".encode("gbk"))
    with pytest.raises(InvalidInput, match="workbook"):
        import_file.read_table("h.xlsx", b"not a zip")
    with pytest.raises(InvalidInput, match=".csv or an .xlsx"):
        import_file.read_table("h.xls", b"")


def test_an_excel_sheet_with_date_and_number_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["customer", "date", "amount", "country"])
    sheet.append([1001, date(2026, 3, 8), 11.77, "jp"])
    sheet.append(["c2", datetime(2026, 3, 9, 18, 30), 20, None])
    buffer = io.BytesIO()
    book.save(buffer)
    fmt, table = import_file.read_table("H.XLSX", buffer.getvalue())
    txs = import_file.transactions(table, NOW)
    assert fmt == "xlsx"
    assert [(t.customer_id, t.at, t.amount_cents, t.country) for t in txs] == [
        ("1001", datetime(2026, 3, 8, tzinfo=UTC), 1177, "JP"),
        ("c2", datetime(2026, 3, 9, 18, 30, tzinfo=UTC), 2000, None),
    ]
