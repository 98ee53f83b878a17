"""The demo catalog of each platform, read from ``catalog/<platform>.yaml``, and the copy every new shop gets."""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders.models import Product, ShippingTemplate, Sku
from shoplab.contracts.money import to_minor

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"

OPTION_NAMES_ZH = {
    "colour": "颜色", "size": "尺码", "style": "款式", "pack": "规格", "plug": "插头", "switch": "轴体",
    "type": "类型", "shade": "色号", "model": "型号", "scent": "香型", "set": "套装", "bundle": "套餐",
    "height": "高度", "mount": "安装位置", "light": "灯光", "weight": "重量", "finish": "表面", "version": "版本",
    "fitting": "灯座", "strap": "表带", "kit": "套件", "length": "长度", "pages": "页数", "card": "存储卡",
    "edition": "版本",
}  # fmt: skip


def option_value(raw: Any) -> tuple[str, str]:
    """``"Black/黑色"`` → ("Black", "黑色"); a value without a Chinese part is the same in both languages."""
    text = str(raw)
    english, _, chinese = text.partition("/")
    return english.strip(), (chinese or english).strip()


def sku_code(product_id: str, values: list[str]) -> str:
    parts = [re.sub(r"[^A-Z0-9]", "", value.upper())[:12] or "X" for value in values]
    return "-".join([product_id, *parts])


@cache
def platform_catalog(platform: str) -> dict[str, Any]:
    """The platform's catalog expanded: templates, products and one SKU per combination of options."""
    raw = yaml.safe_load((CATALOG_DIR / f"{platform}.yaml").read_text(encoding="utf-8"))
    products = []
    for rank, item in enumerate(raw["products"]):
        names = list(item["options"])
        skus = []
        for position, combo in enumerate(itertools.product(*(item["options"][name] for name in names))):
            pairs = [option_value(value) for value in combo]
            raw_values = [str(value) for value in combo]
            price = to_minor(item["price"]) + sum(to_minor(item.get("extra", {}).get(v, "0")) for v in raw_values)
            stock = min([item.get("stock_by", {}).get(v, item["stock"]) for v in raw_values] or [item["stock"]])
            skus.append(
                {
                    "sku": sku_code(item["id"], [english for english, _ in pairs]),
                    "options": {name: english for name, (english, _) in zip(names, pairs, strict=True)},
                    "options_zh": {
                        OPTION_NAMES_ZH.get(name, name): chinese
                        for name, (_, chinese) in zip(names, pairs, strict=True)
                    },
                    "price_cents": price,
                    "stock": stock,
                    "position": position,
                }
            )
        products.append(
            {
                "product_id": item["id"],
                "title": item["title"],
                "title_zh": item["title_zh"],
                "category": item["category"],
                "selling_points": [dict(zip(("en", "zh"), p.split("|", 1), strict=True)) for p in item["points"]],
                "weight_grams": int(item["weight"]),
                "shipping_template": item["template"],
                "position": rank,
                "skus": skus,
            }
        )
    templates = [
        {**template, "rules": [rule_in_cents(rule) for rule in template["rules"]]}
        for template in raw["shipping_templates"]
    ]
    return {"currency": raw["currency"], "shipping_templates": templates, "products": products}


def rule_in_cents(rule: dict[str, Any]) -> dict[str, Any]:
    """A template rule as the catalog file writes it (``fee: "10.00"``, ``per_kg``) with its amounts in cents."""
    amounts = {"fee_cents": to_minor(rule["fee"]), "per_kg_cents": to_minor(rule["per_kg"])}
    return {**{key: value for key, value in rule.items() if key not in ("fee", "per_kg")}, **amounts}


def has_catalog(platform: str) -> bool:
    return (CATALOG_DIR / f"{platform}.yaml").is_file()


def seed_catalog(session: Session, shop_id: str, platform: str) -> int:
    """Give a new shop its platform's demo catalog; a shop that already has products keeps them (redelivery)."""
    if session.scalar(select(Product.product_id).where(Product.shop_id == shop_id).limit(1)) is not None:
        return 0
    catalog = platform_catalog(platform)
    for template in catalog["shipping_templates"]:
        session.add(
            ShippingTemplate(
                shop_id=shop_id,
                code=template["code"],
                name=template["name"],
                name_zh=template["name_zh"],
                rules=template["rules"],
            )
        )
    count = 0
    for item in catalog["products"]:
        session.add(Product(shop_id=shop_id, **{k: v for k, v in item.items() if k != "skus"}))
    session.flush()  # products before their SKUs (foreign key)
    for item in catalog["products"]:
        for sku in item["skus"]:
            session.add(Sku(shop_id=shop_id, product_id=item["product_id"], **sku))
            count += 1
    return count
