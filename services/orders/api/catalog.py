"""Catalog routes: products with their SKUs, and shipping templates."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.orders.models import Product, ShippingTemplate, Sku
from services.orders.schemas.catalog import ProductOut, ProductQuery, ShippingTemplateOut
from shoplab.errors import NotFound
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context
from shoplab.shops.replica import ShopCopy

catalog_api = Blueprint("catalog", __name__, description="Products, SKUs, stock and shipping templates")


def _with_skus(session: Session, shop: ShopCopy, products: list[Product]) -> list[dict]:
    skus: dict[str, list[Sku]] = {}
    if products:
        for sku in session.scalars(
            select(Sku)
            .where(Sku.shop_id == shop.id, Sku.product_id.in_([p.product_id for p in products]))
            .order_by(Sku.position)
        ):
            skus.setdefault(sku.product_id, []).append(sku)
    return [
        {
            "product_id": p.product_id,
            "title": p.title,
            "title_zh": p.title_zh,
            "category": p.category,
            "selling_points": p.selling_points,
            "weight_grams": p.weight_grams,
            "shipping_template": p.shipping_template,
            "currency": shop.currency,
            "skus": skus.get(p.product_id, []),
        }
        for p in products
    ]


@catalog_api.route("/shops/<shop_id>/products")
class ProductList(MethodView):
    @catalog_api.arguments(ProductQuery(), location="query")
    @catalog_api.response(200, ProductOut(many=True))
    def get(self, query, shop_id: str):
        """The shop's products with their SKUs (options, price, stock); filter by category or title words."""
        with db().reading() as session:
            shop = shop_context(session, shop_id).shop
            stmt = select(Product).where(Product.shop_id == shop.id).order_by(Product.position)
            if query["category"]:
                stmt = stmt.where(Product.category == query["category"])
            if query["q"]:
                words = f"%{query['q']}%"
                stmt = stmt.where(or_(Product.title.ilike(words), Product.title_zh.like(words)))
            return _with_skus(session, shop, list(session.scalars(stmt)))


@catalog_api.route("/shops/<shop_id>/products/<product_id>")
class ProductItem(MethodView):
    @catalog_api.response(200, ProductOut)
    def get(self, shop_id: str, product_id: str):
        """One product and its SKUs."""
        with db().reading() as session:
            shop = shop_context(session, shop_id).shop
            product = session.get(Product, (shop.id, product_id))
            if product is None:
                raise NotFound(f"no product {product_id}", {"product_id": ["unknown product"]})
            return _with_skus(session, shop, [product])[0]


@catalog_api.route("/shops/<shop_id>/shipping-templates")
class TemplateList(MethodView):
    @catalog_api.response(200, ShippingTemplateOut(many=True))
    def get(self, shop_id: str):
        """Shipping templates (运费模板): fee and delivery time per destination country and carrier."""
        with db().reading() as session:
            shop = shop_context(session, shop_id).shop
            return session.scalars(
                select(ShippingTemplate).where(ShippingTemplate.shop_id == shop.id).order_by(ShippingTemplate.code)
            ).all()
