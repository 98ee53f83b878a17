import pytest

from services.orders.carriers import carriers, check_tracking
from shoplab.errors import InvalidInput
from shoplab.shops.profiles import load_profile, platform_codes


@pytest.mark.parametrize("code", sorted(carriers()))
def test_every_example_fits_its_own_format(code):
    info = carriers()[code]
    assert check_tracking(code, info["example"], [code]) == info["example"]


def test_every_profile_carrier_has_a_format():
    for platform in platform_codes():
        assert set(load_profile(platform)["carriers"]) <= set(carriers())


@pytest.mark.parametrize(
    "carrier, number",
    [("SF", "SF12345"), ("SF", "1403716928374"), ("UPS", "1Z12"), ("DHL", "12345678901"), ("EMS", "EA123456785US"),
     ("Cainiao", "LP0051234567890X"), ("YunExpress", "YT7302919581234")],
)  # fmt: skip
def test_malformed_numbers_are_refused_with_the_field_and_an_example(carrier, number):
    with pytest.raises(InvalidInput) as caught:
        check_tracking(carrier, number, [carrier])
    assert list(caught.value.fields) == ["tracking_no"]
    assert carriers()[carrier]["example"] in caught.value.fields["tracking_no"][0]


def test_spaces_and_case_are_forgiven():
    assert check_tracking("SF", " sf1403 7169 28374 ", ["SF"]) == "SF1403716928374"


def test_a_carrier_the_shop_does_not_use_is_refused():
    with pytest.raises(InvalidInput) as caught:
        check_tracking("DHL", "1234567890", load_profile("taobao")["carriers"])
    assert "carrier" in caught.value.fields
