"""Buyers per shop from the seed and the platform profile."""

from __future__ import annotations

from collections import Counter

from simulator.population import PopulationSpec, build_population


def test_the_same_seed_and_profile_give_the_same_buyers(taobao) -> None:
    one = build_population(11, taobao, PopulationSpec(count=50))
    two = build_population(11, taobao, PopulationSpec(count=50))
    assert one == two
    assert [buyer.key for buyer in one][:3] == ["b0001", "b0002", "b0003"]


def test_another_seed_gives_other_buyers(taobao) -> None:
    one = build_population(11, taobao, PopulationSpec(count=50))
    two = build_population(12, taobao, PopulationSpec(count=50))
    assert [buyer.name for buyer in one] != [buyer.name for buyer in two]


def test_adding_buyers_leaves_the_first_ones_as_they_were(aliexpress) -> None:
    small = build_population(5, aliexpress, PopulationSpec(count=10))
    large = build_population(5, aliexpress, PopulationSpec(count=40))
    assert large[:10] == small


def test_taobao_buyers_are_chinese_and_write_chinese(taobao) -> None:
    buyers = build_population(3, taobao, PopulationSpec(count=100))
    assert {(b.country, b.timezone, b.language) for b in buyers} == {("CN", "Asia/Shanghai", "zh")}
    assert all(all("\u4e00" <= ch <= "\u9fff" for ch in b.name) for b in buyers)
    assert all(b.address["country"] == "CN" and b.address["postcode"].isdigit() for b in buyers)


def test_cross_border_buyers_follow_the_profiles_country_weights(aliexpress) -> None:
    buyers = build_population(3, aliexpress, PopulationSpec(count=2500))
    shares = Counter(b.country for b in buyers)
    for entry in aliexpress["buyer_countries"]:
        assert abs(shares[entry["country"]] / 2500 - entry["weight"]) < 0.035, entry
    tz = {b.country: b.timezone for b in buyers}
    assert tz["US"] == "America/New_York" and tz["RU"] == "Europe/Moscow"


def test_buyers_write_english_unless_the_simulator_has_their_language(aliexpress) -> None:
    buyers = build_population(3, aliexpress, PopulationSpec(count=1200))
    by_native = {}
    for b in buyers:
        by_native.setdefault(b.native_language, Counter())[b.language] += 1
    assert set(by_native["pt"]) == {"en"} and set(by_native["ru"]) == {"en"}  # no Portuguese or Russian texts
    assert by_native["es"]["es"] > by_native["es"]["en"] > 0  # most Spanish buyers write Spanish, some English
    assert set(by_native["fr"]) == {"fr", "en"}


def test_a_scenario_may_keep_buyers_to_some_languages(aliexpress) -> None:
    buyers = build_population(3, aliexpress, PopulationSpec(count=300, languages=("en",)))
    assert {b.language for b in buyers} == {"en"}
    assert len({b.country for b in buyers}) >= 5  # still from several countries


def test_temperament_shares_and_their_traits(taobao) -> None:
    spec = PopulationSpec(count=1500, temperaments={"rational": 0.5, "cautious": 0.2, "demanding": 0.3})
    buyers = build_population(9, taobao, spec)
    shares = Counter(b.temperament for b in buyers)
    assert abs(shares["demanding"] / 1500 - 0.3) < 0.04
    target = taobao["response_targets"]["first_response_seconds"]
    demanding = [b for b in buyers if b.temperament == "demanding"]
    rational = [b for b in buyers if b.temperament == "rational"]
    assert all(0.5 * target <= b.patience_seconds <= target for b in demanding)
    assert all(1.5 * target <= b.patience_seconds <= 3 * target for b in rational)

    def mean(group, name):
        return sum(b.propensity(name) for b in group) / len(group)

    assert mean(demanding, "complain") > 2.5 * mean(rational, "complain")
    assert mean(demanding, "dispute") > mean(rational, "dispute")
    assert all(0 <= p <= 0.98 for b in buyers for p in b.propensities.values())


def test_scenario_levels_move_every_buyers_propensity(taobao) -> None:
    low = build_population(4, taobao, PopulationSpec(count=200, levels={"forget": 0.1}))
    high = build_population(4, taobao, PopulationSpec(count=200, levels={"forget": 0.4}))
    pairs = zip(low, high, strict=True)
    assert all(after.propensity("forget") > before.propensity("forget") for before, after in pairs)
    assert [b.name for b in low] == [b.name for b in high]  # the same people, more forgetful


def test_russian_family_names_agree_with_the_given_name(aliexpress) -> None:
    russians = [b for b in build_population(2, aliexpress, PopulationSpec(count=600)) if b.country == "RU"]
    female = {"Anastasia", "Maria", "Anna", "Sofia", "Victoria", "Polina", "Daria", "Ekaterina"}
    assert russians
    for b in russians:
        assert b.family_name.endswith("a") == (b.given_name in female), b.name


def test_the_buyer_card_is_what_the_shop_is_told(aliexpress) -> None:
    buyer = build_population(2, aliexpress, PopulationSpec(count=1))[0]
    card = buyer.card()
    assert card["customer_id"] == "b0001" and card["address"]["recipient"] == buyer.name
    assert set(card) == {"customer_id", "name", "country", "timezone", "language", "address"}
