"""The buyers of a shop: personas generated from the scenario's seed and the shop's platform profile.

A buyer's key (``b0007``) does not depend on the shop: two shops of one platform given the same seed get the same
buyers, so the students of a class meet the same customers. Everything about a buyer is drawn from streams named by
the seed, the key and the trait (``simulator.randomness``), so adding a trait or a buyer never changes the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from simulator import randomness as rnd
from simulator.reference_data import data, default_levels

TEMPERAMENTS = ("rational", "cautious", "demanding")


@dataclass(frozen=True)
class PopulationSpec:
    """What a scenario says about its buyers; ``None`` takes the default."""

    count: int
    temperaments: Mapping[str, float] | None = None  # shares, summing to 1
    languages: tuple[str, ...] | None = None  # the only languages buyers may write in
    response_target_seconds: int | None = None  # patience is a multiple of this (else the profile's target)
    levels: Mapping[str, float] = field(default_factory=dict)  # behaviour levels over behaviour.yaml's


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    given_name: str
    family_name: str
    country: str
    timezone: str
    language: str  # the language the buyer writes in
    native_language: str
    temperament: str
    patience_seconds: int  # people's time: how long they wait for an answer before acting
    price_sensitivity: float
    age: int
    address: Mapping[str, str]
    propensities: Mapping[str, float]
    strictness: int
    accept_partial_share: float
    impatience: Mapping[str, float]

    def propensity(self, name: str) -> float:
        return self.propensities[name]

    def local_time(self, at: datetime) -> datetime:
        return at.astimezone(ZoneInfo(self.timezone))

    def card(self) -> dict[str, Any]:
        """What the shop is told about the buyer when they register (the buyer API's customer record)."""
        return {
            "customer_id": self.key,
            "name": self.name,
            "country": self.country,
            "timezone": self.timezone,
            "language": self.language,
            "address": dict(self.address),
        }


def buyer_key(index: int) -> str:
    return f"b{index:04d}"


def build_population(seed: int | str, profile: Mapping[str, Any], spec: PopulationSpec) -> list[Persona]:
    return [build_persona(seed, profile, spec, buyer_key(index)) for index in range(1, spec.count + 1)]


_SHARED: dict[tuple[Any, ...], tuple[Persona, ...]] = {}


def shared_population(seed: int | str, profile: Mapping[str, Any], spec: PopulationSpec) -> tuple[Persona, ...]:
    """``build_population``, built once per process for every shop of one platform that runs the same scenario with
    the same seed (a class's shops meet the same buyers; personas are immutable)."""
    key = (
        seed,
        profile["code"],
        spec.count,
        tuple(sorted((spec.temperaments or {}).items())),
        spec.languages,
        spec.response_target_seconds,
        tuple(sorted(spec.levels.items())),
    )
    if key not in _SHARED:
        if len(_SHARED) >= 64:
            _SHARED.clear()
        _SHARED[key] = tuple(build_population(seed, profile, spec))
    return _SHARED[key]


def build_persona(seed: int | str, profile: Mapping[str, Any], spec: PopulationSpec, key: str) -> Persona:
    personas = data("personas")
    origin = _home(seed, key, profile)
    shares = dict(spec.temperaments or {name: personas["temperaments"][name]["share"] for name in TEMPERAMENTS})
    temperament = rnd.weighted(shares, seed, key, "temperament")
    traits = personas["temperaments"][temperament]
    given, family, full = _name(seed, key, origin["country"])
    target = spec.response_target_seconds or profile["response_targets"]["first_response_seconds"]
    levels = {**default_levels(), **spec.levels}
    low, high = personas["individual_factor"]
    propensities = {
        name: round(
            min(0.98, max(0.0, level * traits["multipliers"].get(name, 1.0) * rnd.between(low, high, seed, key, name))),
            4,
        )
        for name, level in sorted(levels.items())
    }
    return Persona(
        key=key,
        name=full,
        given_name=given,
        family_name=family,
        country=origin["country"],
        timezone=origin["timezone"],
        language=_writing_language(seed, key, origin["language"], spec.languages),
        native_language=origin["language"],
        temperament=temperament,
        patience_seconds=int(target * rnd.between(*traits["patience"], seed, key, "patience")),
        price_sensitivity=round(rnd.between(*traits["price_sensitivity"], seed, key, "price_sensitivity"), 3),
        age=int(rnd.between(*personas["age"], seed, key, "age")),
        address=_address(seed, key, origin["country"], full),
        propensities=propensities,
        strictness=int(traits["strictness"]),
        accept_partial_share=float(traits["accept_partial_share"]),
        impatience=dict(traits["impatience"]),
    )


def _home(seed: int | str, key: str, profile: Mapping[str, Any]) -> Mapping[str, Any]:
    countries = {f"{i:02d}": entry for i, entry in enumerate(profile["buyer_countries"])}
    chosen = rnd.weighted({i: float(entry.get("weight", 1.0)) for i, entry in countries.items()}, seed, key, "country")
    return countries[chosen]


def _writing_language(seed: int | str, key: str, native: str, allowed: tuple[str, ...] | None) -> str:
    personas = data("personas")
    if allowed:
        if native in allowed:
            return native
        return "en" if "en" in allowed else allowed[0]
    if native not in personas["text_languages"]:
        return "en"
    if rnd.chance(personas["writes_english"].get(native, 0.0), seed, key, "writes_english"):
        return "en"
    return native


def _names_of(country: str) -> Mapping[str, Any]:
    names = data("names")
    return names.get(country) or names["US"]


def _name(seed: int | str, key: str, country: str) -> tuple[str, str, str]:
    names = _names_of(country)
    given, _, gender = rnd.pick(names["given"], seed, key, "given_name").partition("|")
    forms = rnd.pick(names["family"], seed, key, "family_name").split("|")
    family = forms[-1] if gender == "f" else forms[0]  # "Ivanov|Ivanova": the family name agrees with the given
    full = f"{family}{given}" if names["order"] == "family_given" else f"{given} {family}"
    return given, family, full


def _address(seed: int | str, key: str, country: str, recipient: str) -> dict[str, str]:
    names = _names_of(country)
    place = rnd.pick(names["cities"], seed, key, "city")
    digits = rnd.stream(seed, key, "phone")
    phone = "".join(str(digits.randrange(10)) if ch == "#" else ch for ch in names["phone"])
    number = 1 + int(rnd.draw(seed, key, "house_number") * 298)
    line1 = f"{place['street']}{number}号" if country == "CN" else f"{number} {place['street']}"
    return {
        "recipient": recipient,
        "phone": phone,
        "line1": line1,
        "city": place["city"],
        "region": place["region"],
        "postcode": str(place["postcode"]),
        "country": country,
    }
