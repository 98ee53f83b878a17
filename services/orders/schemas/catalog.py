"""Catalog bodies: products with their SKUs, shipping templates."""

from __future__ import annotations

from marshmallow import Schema, fields

from shoplab.contracts.money import Money


class SkuOut(Schema):
    sku = fields.String()
    options = fields.Dict(metadata={"description": "option name → value, in English"})
    options_zh = fields.Dict(metadata={"description": "选项（中文）"})
    price = Money(attribute="price_cents")
    stock = fields.Integer(metadata={"description": "units still available"})


class ProductOut(Schema):
    product_id = fields.String()
    title = fields.String()
    title_zh = fields.String()
    category = fields.String()
    selling_points = fields.List(fields.Dict(), metadata={"description": "[{en, zh}]"})
    weight_grams = fields.Integer()
    shipping_template = fields.String()
    currency = fields.String()
    skus = fields.List(fields.Nested(SkuOut))


class ProductQuery(Schema):
    category = fields.String(load_default=None)
    q = fields.String(load_default=None, metadata={"description": "words in the English or Chinese title"})


class ShippingRuleOut(Schema):
    countries = fields.Raw(metadata={"description": "list of country codes, or '*' for every other"})
    carrier = fields.String()
    fee = Money(attribute="fee_cents", metadata={"description": "for the first kg"})
    per_kg = Money(attribute="per_kg_cents", metadata={"description": "for each started kg above the first"})
    days_min = fields.Integer()
    days_max = fields.Integer()


class ShippingTemplateOut(Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String()
    rules = fields.List(fields.Nested(ShippingRuleOut))
