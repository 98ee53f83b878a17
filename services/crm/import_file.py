"""Reading an instructor's transaction history (CSV or .xlsx): columns customer, date, amount and an optional
country; every row checked, every problem named by its line and field. Plain Python, no database.

- header: the first row names the columns (case and spaces ignored; ``customer_id`` / 客户, 日期, 金额, 国家 also
  accepted); other columns are ignored;
- customer: 1-64 characters; date: ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, optionally with a time
  ``HH:MM[:SS]``, or ISO 8601 with an offset, or an Excel date cell; a date without an offset is UTC; from 1990 up
  to the shop's now; amount: the shop's currency with at most two decimals, 0 up to the Money maximum (the shared
  Money rules); country: ISO 3166 alpha-2, optional.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import ValidationError

from shoplab.contracts.money import Money
from shoplab.errors import InvalidInput

MAX_ROWS = 100_000
MAX_ERRORS = 50  # the first problems are named; the count says how many there were
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
HEADERS = {
    "customer": "customer", "customer_id": "customer", "customerid": "customer", "客户": "customer",
    "客户id": "customer", "date": "date", "日期": "date", "amount": "amount", "金额": "amount",
    "country": "country", "国家": "country",
}  # fmt: skip
REQUIRED = ("customer", "date", "amount")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y/%m/%d %H:%M:%S")  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN_DATE = re.compile(r"(?P<y>\d{4})([-/]?)(?P<m>\d{2})\2(?P<d>\d{2})")
_AMOUNT = Money()


@dataclass(frozen=True)
class Transaction:
    line: int
    customer_id: str
    at: datetime
    amount_cents: int
    country: str | None


def _file_error(message: str) -> InvalidInput:
    return InvalidInput(message, {"file": [message]})


def read_table(filename: str, data: bytes) -> tuple[str, list[list[Any]]]:
    """The file's format and its rows of cells (the header first)."""
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv", _read_csv(data)
    if name.endswith(".xlsx"):
        return "xlsx", _read_xlsx(data)
    raise _file_error("the file must be a .csv or an .xlsx file")


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"a CSV file must be UTF-8 (byte {exc.start} is not)") from exc
    try:
        return [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise _file_error(f"not a readable CSV file: {exc}") from exc


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _file_error("not a readable .xlsx workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if any(cell is not None and str(cell).strip() for cell in row):
                rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def columns(header: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = HEADERS.get(re.sub(r"\s+", "", str(cell or "")).lower())
        if key and key not in found:
            found[key] = index
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise InvalidInput(
            f"the header must name the columns {', '.join(REQUIRED)} (and optionally country)",
            {"file": [f"missing column: {name}" for name in missing]},
        )
    return found


def _customer(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # a spreadsheet's number column of customer ids
    if not text:
        raise ValueError("required")
    if len(text) > 64 or _CONTROL.search(text):
        raise ValueError("1-64 characters, no control characters")
    return text


def _date(value: Any, now: datetime) -> datetime:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        moment = _parse_date(str(value if value is not None else "").strip())
    if moment < EARLIEST:
        raise ValueError("must be in 1990 or later")
    if moment > now:
        raise ValueError(f"must not be after the shop's now ({now.date().isoformat()})")
    return moment.astimezone(UTC)


def _parse_date(text: str) -> datetime:
    if not text:
        raise ValueError("required")
    plain = _PLAIN_DATE.fullmatch(text)
    if plain:  # the common shapes without strptime: a history has tens of thousands of them
        try:
            return datetime(int(plain["y"]), int(plain["m"]), int(plain["d"]), tzinfo=UTC)
        except ValueError:
            raise ValueError("not a calendar date") from None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("a date such as 2026-11-11 or 2026-11-11 20:30") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _amount(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("required")
    if isinstance(value, float):
        value = repr(value)  # the shortest text that is this float: 11.77, not 11.7699999...
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a spreadsheet's number cell: major units, as a person typed them
    try:
        return _AMOUNT.deserialize(value.strip() if isinstance(value, str) else value)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None


def _country(value: Any) -> str | None:
    text = str(value if value is not None else "").strip().upper()
    if not text:
        return None
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise ValueError("a two-letter country code such as CN or US")
    return text


def transactions(rows: list[list[Any]], now: datetime) -> list[Transaction]:
    """Every row checked; raises InvalidInput naming each bad row's fields (``fields.rows[<line>][<field>]``)
    when any is bad, so nothing of a bad file is written."""
    if not rows:
        raise _file_error("the file is empty")
    index = columns(rows[0])
    if len(rows) == 1:
        raise _file_error("the file has a header but no transactions")
    if len(rows) - 1 > MAX_ROWS:
        raise _file_error(f"at most {MAX_ROWS} transactions per file")
    found, errors, bad = [], {}, 0
    readers = {"customer": _customer, "date": lambda v: _date(v, now), "amount": _amount, "country": _country}
    for line, row in enumerate(rows[1:], start=2):
        values, problems = {}, {}
        for field, read in readers.items():
            cell = row[index[field]] if field in index and index[field] < len(row) else None
            try:
                values[field] = read(cell)
            except ValueError as exc:
                problems[field] = [str(exc)]
        if problems:
            bad += 1
            if len(errors) < MAX_ERRORS:
                errors[str(line)] = problems
            continue
        found.append(Transaction(line, values["customer"], values["date"], values["amount"], values["country"]))
    if errors:
        raise InvalidInput(
            f"{bad} of {len(rows) - 1} rows are invalid; nothing was imported",
            {"rows": errors},
            invalid_rows=bad,
        )
    return found
