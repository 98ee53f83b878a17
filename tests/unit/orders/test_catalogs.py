"""The demo catalogs: every platform's is complete, bilingual and consistent with its profile."""

import pytest

from services.orders.catalog_seed import has_catalog, platform_catalog
from services.orders.shipping_rates import quote
from shoplab.shops.profiles import load_profile, platform_codes


@pytest.mark.parametrize("platform", platform_codes())
def test_each_platform_has_a_few_dozen_bilingual_products(platform):
    assert has_catalog(platform)
    catalog = platform_catalog(platform)
    assert catalog["currency"] == load_profile(platform)["currency"]
    assert len(catalog["products"]) >= 24
    skus = [sku["sku"] for product in catalog["products"] for sku in product["skus"]]
    assert len(skus) == len(set(skus)), "SKU codes are unique"
    for product in catalog["products"]:
        assert product["title"] and product["title_zh"] and product["title"] != product["title_zh"]
        assert product["selling_points"] and all(p["en"] and p["zh"] for p in product["selling_points"])
        assert product["weight_grams"] > 0
        for sku in product["skus"]:
            assert sku["price_cents"] > 0 and sku["stock"] >= 1
            assert set(sku["options"]) and len(sku["options_zh"]) == len(sku["options"])


@pytest.mark.parametrize("platform", platform_codes())
def test_every_product_ships_to_every_buyer_country_with_the_shops_carriers(platform):
    profile = load_profile(platform)
    catalog = platform_catalog(platform)
    templates = {t["code"]: t["rules"] for t in catalog["shipping_templates"]}
    for rules in templates.values():
        assert {rule["carrier"] for rule in rules} <= set(profile["carriers"])
    for product in catalog["products"]:
        for buyer in profile["buyer_countries"]:
            offer = quote(templates, {product["shipping_template"]: product["weight_grams"]}, buyer["country"])
            assert offer.days_min <= offer.days_max


def test_option_prices_and_scenario_stock():
    taobao = {p["product_id"]: p for p in platform_catalog("taobao")["products"]}
    tee = {s["sku"]: s for s in taobao["TB1001"]["skus"]}
    assert tee["TB1001-BLACK-M"]["price_cents"] == 5900
    assert tee["TB1001-BLACK-XXL"]["price_cents"] == 6400  # extra 5.00 for XXL
    assert tee["TB1001-BLACK-M"]["options_zh"] == {"颜色": "黑色", "尺码": "M"}
    jacket = {s["sku"]: s["stock"] for s in taobao["TB1003"]["skus"]}
    assert jacket["TB1003-CREAM-M"] == 1  # a last unit, for races and out-of-stock scenarios
