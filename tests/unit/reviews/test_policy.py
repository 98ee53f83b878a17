"""Rating classes per platform and the windows, as the four profiles state them."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from services.reviews.policy import ReviewPolicy, better, direction, window_open
from shoplab.shops.profiles import load_profile, platform_codes
from tests.unit.reviews.conftest import T0


@pytest.mark.parametrize("platform", ["taobao", "aliexpress", "amazon", "ebay"])
def test_every_profile_classes_stars_4_5_positive_3_neutral_1_2_negative(platform):
    # Taobao 好评 4-5, 中评 3, 差评 1-2; Amazon-style feedback 4-5 positive, 3 neutral, 1-2 negative
    policy = ReviewPolicy.of(load_profile(platform))
    assert [policy.rating_of(stars) for stars in range(1, 6)] == [
        "negative", "negative", "neutral", "positive", "positive",
    ]  # fmt: skip


def test_the_classes_follow_the_profiles_data_not_code():
    profile = copy.deepcopy(load_profile("amazon"))
    profile["reviews"].update(positive_min_stars=5, negative_max_stars=3)  # a stricter platform
    policy = ReviewPolicy.of(profile)
    assert [policy.rating_of(stars) for stars in range(1, 6)] == [
        "negative", "negative", "negative", "neutral", "positive",
    ]  # fmt: skip


def test_windows_per_platform_are_data():
    windows = {
        code: (p.review_window.days, p.follow_up_window.days, p.revise_window.days, p.reply_window.days,
               p.reply_edit_window, p.closed_by_full_refund)
        for code in platform_codes()
        if (p := ReviewPolicy.of(load_profile(code)))
    }  # fmt: skip
    assert windows["taobao"] == (15, 180, 30, 30, timedelta(hours=24), True)
    assert windows["aliexpress"][:3] == (30, 90, 30)
    assert windows["amazon"][0] == 90 and windows["amazon"][5] is False
    for code in platform_codes():
        policy = ReviewPolicy.of(load_profile(code))
        assert policy.revisable == {"neutral", "negative"}
        assert {"personal_information", "obscenity"} <= {rule["id"] for rule in policy.removal_rules}
        assert policy.dsr_window_days == 180


def test_a_profile_with_inverted_thresholds_or_unknown_classes_is_refused():
    profile = copy.deepcopy(load_profile("taobao"))
    profile["reviews"].update(positive_min_stars=2, negative_max_stars=3)
    with pytest.raises(ValueError, match="negative < positive"):
        ReviewPolicy.of(profile)
    profile = copy.deepcopy(load_profile("taobao"))
    profile["reviews"]["revisable"] = ["angry"]
    with pytest.raises(ValueError, match="unknown rating class"):
        ReviewPolicy.of(profile)


def test_a_window_is_open_up_to_but_not_at_its_end():
    window = timedelta(days=15)
    assert window_open(T0, window, T0)
    assert window_open(T0, window, T0 + window - timedelta(seconds=1))
    assert not window_open(T0, window, T0 + window)


def test_better_class_and_direction_of_a_change():
    assert better("neutral", "negative") and better("positive", "neutral")
    assert not better("negative", "neutral") and not better("neutral", "neutral")
    assert (direction(2, 5), direction(3, 1), direction(3, 3)) == ("up", "down", "same")
