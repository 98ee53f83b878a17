"""The ``crm`` section of a platform profile, checked once and kept as typed settings.

What a shop's customer management plays by is data (``shoplab/profiles/<platform>.yaml``): member grades and
their thresholds, the automatic tag rules, the lifetime-value parameters, the care tasks' hours, delays and
templates. A profile whose section does not validate is refused when it is first read, naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shoplab.contracts.crm import CARE_KINDS
from shoplab.contracts.money import Money, wire

OPERATORS = ("==", "!=", ">", ">=", "<", "<=")
# The facts a rule may test (services/crm/tag_rules.py computes them); money ones are compared in minor units.
MONEY_METRICS = frozenset({"spent", "paid"})
TIME_METRICS = frozenset({"days_since_first_purchase", "days_since_last_purchase", "days_since_first_order"})
METRICS = (
    frozenset({
        "purchases", "orders", "paid_orders", "refunded_orders", "refund_rate", "returns", "disputes",
        "disputes_lost", "dispute_rate", "reviews", "negative_reviews", "average_stars", "conversations",
        "csat_average", "grade_level", "blacklisted",
    })
    | MONEY_METRICS
    | TIME_METRICS
)  # fmt: skip


class ConditionSchema(Schema):
    metric = fields.String(required=True, validate=validate.OneOf(sorted(METRICS)))
    op = fields.String(required=True, validate=validate.OneOf(OPERATORS))
    value = fields.Raw(required=True)

    @validates_schema
    def _value_fits_metric(self, data: dict[str, Any], **kwargs: Any) -> None:
        value = data.get("value")
        if data.get("metric") in MONEY_METRICS:
            Money(minimum=-(10**12)).deserialize(value)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("must be a number", "value")


class TagRuleSchema(Schema):
    tag = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    name_zh = fields.String(load_default="")
    all = fields.List(fields.Nested(ConditionSchema), load_default=list)
    any = fields.List(fields.Nested(ConditionSchema), load_default=list)

    @validates_schema
    def _has_conditions(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("all") and not data.get("any"):
            raise ValidationError("a rule needs `all` or `any` conditions", "all")


class GradeLevelSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=16))
    name = fields.String(required=True)
    name_zh = fields.String(required=True)
    min_spent = Money(required=True)
    min_purchases = fields.Integer(required=True, validate=validate.Range(min=0))


class GradesSchema(Schema):
    require = fields.String(load_default="any", validate=validate.OneOf(["any", "all"]))
    levels = fields.List(fields.Nested(GradeLevelSchema), required=True, validate=validate.Length(min=1))


class TemplateSchema(Schema):
    subject = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    body = fields.Dict(keys=fields.String(), values=fields.String(), required=True)

    @validates_schema
    def _has_defaults(self, data: dict[str, Any], **kwargs: Any) -> None:
        for part in ("subject", "body"):
            if not {"zh", "en"} <= set(data.get(part, {})):
                raise ValidationError("needs at least zh and en", part)


class GreetingSchema(Schema):
    active_within_days = fields.Integer(required=True, validate=validate.Range(min=1))
    skip_containing = fields.List(fields.String(), load_default=list)


class CareSchema(Schema):
    local_hours = fields.List(fields.Integer(validate=validate.Range(min=0, max=23)), required=True)
    channel = fields.String(required=True)
    follow_up_days = fields.Integer(required=True, validate=validate.Range(min=1))
    win_back_days = fields.Integer(required=True, validate=validate.Range(min=1))
    holiday_greeting = fields.Nested(GreetingSchema, required=True)
    templates = fields.Dict(keys=fields.String(validate=validate.OneOf(CARE_KINDS)),
                            values=fields.Nested(TemplateSchema), required=True)  # fmt: skip

    @validates_schema
    def _window_and_templates(self, data: dict[str, Any], **kwargs: Any) -> None:
        hours = data.get("local_hours", [])
        if len(hours) != 2 or hours[0] >= hours[1]:
            raise ValidationError("two hours, the first before the second", "local_hours")
        if set(data.get("templates", {})) != set(CARE_KINDS):
            raise ValidationError(f"one template for each of {CARE_KINDS}", "templates")


class LtvSchema(Schema):
    lifespan_years = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    min_age_days = fields.Integer(required=True, validate=validate.Range(min=1))


class CrmSectionSchema(Schema):
    grades = fields.Nested(GradesSchema, required=True)
    ltv = fields.Nested(LtvSchema, required=True)
    tag_rules = fields.List(fields.Nested(TagRuleSchema), required=True)
    care = fields.Nested(CareSchema, required=True)


@dataclass(frozen=True)
class GradeLevel:
    code: str
    name: str
    name_zh: str
    min_spent_cents: int
    min_purchases: int


@dataclass(frozen=True)
class CrmSettings:
    grade_levels: tuple[GradeLevel, ...]
    grades_require_all: bool
    ltv_lifespan_years: float
    ltv_min_age_days: int
    tag_rules: tuple[dict[str, Any], ...]
    care: dict[str, Any]

    @property
    def rule_tags(self) -> frozenset[str]:
        return frozenset(rule["tag"] for rule in self.tag_rules)


def _settings_of(code: str, section: Any) -> CrmSettings:
    try:
        data = CrmSectionSchema().load(section)
    except ValidationError as exc:
        raise ValueError(f"the crm section of profile {code} is invalid: {exc.messages}") from exc
    levels = tuple(
        GradeLevel(level["code"], level["name"], level["name_zh"], level["min_spent"], level["min_purchases"])
        for level in data["grades"]["levels"]
    )
    for rule in data["tag_rules"]:
        for condition in rule["all"] + rule["any"]:
            if condition["metric"] in MONEY_METRICS:
                condition["value"] = Money(minimum=-(10**12)).deserialize(condition["value"])
    return CrmSettings(
        grade_levels=levels,
        grades_require_all=data["grades"]["require"] == "all",
        ltv_lifespan_years=data["ltv"]["lifespan_years"],
        ltv_min_age_days=data["ltv"]["min_age_days"],
        tag_rules=tuple(data["tag_rules"]),
        care=data["care"],
    )


# Profiles are loaded once per platform and never change: the settings are built once per profile section.
_BY_SECTION: dict[tuple[str, int], CrmSettings] = {}


def crm_settings(profile: dict[str, Any]) -> CrmSettings:
    """The crm settings of a loaded platform profile (``ctx.profile``)."""
    section = profile.get("crm")
    if section is None:
        raise ValueError(f"profile {profile.get('code')} has no crm section")
    key = (profile["code"], id(section))
    if key not in _BY_SECTION:
        _BY_SECTION[key] = _settings_of(profile["code"], section)
    return _BY_SECTION[key]


def rule_as_data(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as the profile writes it (money thresholds back to "300.00"), for people to read."""

    def condition(c: dict[str, Any]) -> dict[str, Any]:
        return {**c, "value": wire(c["value"])} if c["metric"] in MONEY_METRICS else c

    return {**rule, "all": [condition(c) for c in rule["all"]], "any": [condition(c) for c in rule["any"]]}
