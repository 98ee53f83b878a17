"""Every string a page shows goes through the catalogues, and both catalogues are complete and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from gateway.web import catalog

TEMPLATES = Path(catalog.HERE) / "templates"
# Text a person reads: letters of any script (Latin words, Chinese characters).
WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]{2,}")
TAG = re.compile(r"<[^>]*>", re.S)
# Attributes whose values people read (tooltips, placeholders, labels for screen readers).
READ_ATTRIBUTES = re.compile(r'\b(title|placeholder|alt|aria-label)="([^"]*)"')
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_the_catalogue_translates_every_string(locale):
    merged = catalog.merged(locale, catalog.extract())
    assert catalog.missing(merged) == [], f"run `python -m gateway.web.catalog` and translate them ({locale})"


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_the_committed_catalogue_is_current_and_compiled(locale):
    on_disk = catalog.load(locale)
    extracted = {m.id for m in catalog.extract() if m.id}
    assert {m.id for m in on_disk if m.id} == extracted, "run `python -m gateway.web.catalog`"
    with catalog.po_path(locale).with_suffix(".mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in on_disk if m.id}


JINJA = re.compile(r"{%-?\s*trans\b.*?endtrans\s*-?%}|{{.*?}}|{%.*?%}|{#.*?#}", re.S)


def _raw_text(template: Path) -> list[str]:
    """The template's literal text that a person would read: what is left outside Jinja (translated blocks taken
    out first), outside tags, and in the attributes people read."""
    source = JINJA.sub("\x00", template.read_text(encoding="utf-8"))
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)  # not text (nor allowed inline)
    found = [value.strip() for _, value in READ_ATTRIBUTES.findall(source) if WORDS.search(ENTITY.sub("", value))]
    for chunk in TAG.sub("\n", source).split("\n"):
        text = " ".join(ENTITY.sub("", chunk.replace("\x00", " ")).split())
        if WORDS.search(text):
            found.append(text)
    return found


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_text_escapes_the_catalogue(template):
    assert _raw_text(template) == [], "wrap visible text in {{ _('...') }} or {% trans %}"


def test_the_check_would_catch_a_bare_string(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<p>{{ _("Queue") }}</p><button title="Send now">{{ n }}</button><h1>待处理</h1>'
        "{% trans %}Hello {{ name }}{% endtrans %}<p>Waiting {{ n }}</p>",
        encoding="utf-8",
    )
    assert _raw_text(page) == ["Send now", "待处理", "Waiting"]


def test_every_automatic_tag_has_a_label_whose_chinese_is_the_profiles_name():
    """A rule's tag is shown by its name, never its code: the Chinese page says what the profile calls it."""
    from gateway.web.labels import LABELS
    from shoplab.shops.profiles import load_profile, platform_codes

    chinese = {m.id: m.string for m in catalog.load("zh_Hans_CN") if m.id}
    for platform in platform_codes():
        for rule in load_profile(platform)["crm"]["tag_rules"]:
            assert rule["tag"] in LABELS["tag"], f"{platform}: tag {rule['tag']} has no label"
            assert chinese[LABELS["tag"][rule["tag"]]] == rule["name_zh"], (platform, rule["tag"])


def test_every_rfm_segment_has_a_label_whose_chinese_is_crms_name():
    """A care task's system line names the customer's segment: in crm's words on the Chinese page."""
    import yaml

    from gateway.web.labels import LABELS

    chinese = {m.id: m.string for m in catalog.load("zh_Hans_CN") if m.id}
    segments = yaml.safe_load((Path(catalog.HERE).parents[1] / "services" / "crm" / "rfm_segments.yaml").read_text())
    assert {s["segment"] for s in segments} == set(LABELS["segment"])
    for segment in segments:
        assert LABELS["segment"][segment["segment"]] == segment["name"]
        assert chinese[segment["name"]] == segment["name_zh"], segment["segment"]


def test_every_review_removal_rule_has_a_label():
    """A follow-up closed by a removal names the platform's rule."""
    from gateway.web.labels import LABELS
    from shoplab.shops.profiles import load_profile, platform_codes

    for platform in platform_codes():
        for rule in load_profile(platform).get("reviews", {}).get("removal_rules", []):
            assert rule["id"] in LABELS["removal_rule"], f"{platform}: rule {rule['id']} has no label"
