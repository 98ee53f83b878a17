"""Platform profiles are data files: the four shipped ones load, an invalid or mislabelled one is refused."""

from __future__ import annotations

import shutil

import pytest
import yaml

from shoplab.shops import profiles
from shoplab.shops.profiles import UnknownPlatform, load_profile, platform_codes


@pytest.fixture
def profile_dir(tmp_path, monkeypatch):
    """A copy of the shipped profiles that a test may break, and a fresh cache around it."""
    for path in profiles.PROFILE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(profiles, "PROFILE_DIR", tmp_path)
    load_profile.cache_clear()
    yield tmp_path
    load_profile.cache_clear()


@pytest.mark.parametrize(
    ("code", "market", "currency"),
    [("taobao", "domestic", "CNY"), ("aliexpress", "cross_border", "USD"), ("amazon", "cross_border", "USD"),
     ("ebay", "cross_border", "USD")],
)  # fmt: skip
def test_the_four_platforms_load(code, market, currency):
    profile = load_profile(code)
    assert profile["code"] == code and profile["market"] == market and profile["currency"] == currency
    assert profile["name"] and profile["name_zh"]
    assert profile["response_targets"]["first_response_seconds"] > 0
    assert profile["forbidden_content"] and profile["carriers"] and profile["buyer_countries"]


def test_the_shipped_platforms_are_exactly_those():
    assert {"taobao", "aliexpress", "amazon", "ebay"} <= set(platform_codes())


def test_an_unknown_platform_is_refused():
    with pytest.raises(UnknownPlatform):
        load_profile("temu")
    with pytest.raises(UnknownPlatform):
        load_profile("../taobao")


def test_a_profile_missing_a_required_section_is_refused_with_the_field(profile_dir):
    data = yaml.safe_load((profile_dir / "ebay.yaml").read_text(encoding="utf-8"))
    del data["currency"]
    data["response_targets"]["first_response_seconds"] = "soon"
    (profile_dir / "ebay.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="ebay.yaml is invalid") as refused:
        load_profile("ebay")
    assert "currency" in str(refused.value) and "first_response_seconds" in str(refused.value)
    assert load_profile("amazon")["code"] == "amazon"  # the others still load


def test_a_profile_naming_itself_otherwise_is_refused(profile_dir):
    shutil.copy(profile_dir / "amazon.yaml", profile_dir / "walmart.yaml")
    with pytest.raises(ValueError, match="names itself 'amazon'"):
        load_profile("walmart")


def test_services_may_add_their_own_sections(profile_dir):
    data = yaml.safe_load((profile_dir / "taobao.yaml").read_text(encoding="utf-8"))
    data["crm_care"] = {"holidays": ["春节"]}
    (profile_dir / "taobao.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_profile("taobao")["crm_care"] == {"holidays": ["春节"]}
