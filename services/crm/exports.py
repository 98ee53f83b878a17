"""Customer lists (a segment, a tag, any filter of the list) as CSV (UTF-8 with a BOM, so Excel reads Chinese)
or as an Excel workbook; money as two-place amounts in the shop's currency, times in ISO 8601 (shop time)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.crm import customer_views
from shoplab.contracts.money import from_minor
from shoplab.shops.context import ShopContext

MAX_ROWS = 200_000
COLUMNS = (
    ("customer_id", "customer_id 客户"), ("name", "name 姓名"), ("country", "country 国家"),
    ("grade", "grade 等级"), ("segment", "segment 分群"), ("r", "R"), ("f", "F"), ("m", "M"),
    ("recency_days", "recency_days 最近购买天数"), ("purchases", "purchases 购买次数"), ("spent", "spent 消费金额"),
    ("ltv", "ltv 生命周期价值"), ("last_purchase_at", "last_purchase_at 最近购买"), ("tags", "tags 标签"),
    ("blacklisted", "blacklisted 黑名单"),
)  # fmt: skip


def rows(session: Session, ctx: ShopContext, query: dict[str, Any]) -> list[list[Any]]:
    customers = session.scalars(customer_views.filtered(ctx.id, query).limit(MAX_ROWS)).all()
    tags = customer_views.tags_by_customer(session, ctx.id, [c.customer_id for c in customers])
    as_of = customer_views.reference(session, ctx)
    table = []
    for customer in customers:
        row = customer_views.summary(ctx, customer, tags.get(customer.customer_id, []), as_of)
        values = {
            **row,
            **{key: row["rfm"][key] for key in ("r", "f", "m", "recency_days")},
            "spent": from_minor(row["spent"]),
            "ltv": from_minor(row["ltv"]) if row["ltv"] is not None else None,
            "tags": " ".join(tag["tag"] for tag in row["tags"]),
            "blacklisted": "yes" if row["blacklisted"] else "",
        }
        table.append([values[key] for key, _ in COLUMNS])
    return table


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def as_csv(table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for _, title in COLUMNS])
    for row in table:
        writer.writerow(["" if value is None else _text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: list[list[Any]], sheet_title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31] or "customers")
    sheet.append([title for _, title in COLUMNS])
    for row in table:
        # Excel keeps no time zones: times go as their ISO text; amounts as numbers
        sheet.append([float(v) if hasattr(v, "as_tuple") else _text(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
