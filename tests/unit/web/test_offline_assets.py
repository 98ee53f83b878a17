"""The classroom works offline: every asset is ShopLab's, vendored files are listed with version, licence and
checksum, and no template, style sheet or script of ours names an outside address."""

from __future__ import annotations

import hashlib
import json
import re

from gateway.web import HERE

STATIC = HERE / "static"
VENDOR = STATIC / "vendor"
OUTSIDE = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//"""  # an element loading or posting elsewhere
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//""",  # a style sheet doing so
    re.I,
)


def test_every_vendored_file_is_listed_with_its_checksum_and_licence():
    listed = json.loads((VENDOR / "vendor.json").read_text())
    files = {path.name for path in VENDOR.iterdir() if path.suffix in {".js", ".css", ".woff2", ".svg"}}
    assert {entry["file"] for entry in listed} == files
    for entry in listed:
        data = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert entry["version"] in entry["file"], "vendored files are named by their version"
        assert entry["licence"] and (VENDOR / entry["licence_file"]).is_file()


def test_no_page_or_asset_of_ours_points_outside():
    ours = [p for p in HERE.rglob("*") if p.suffix in {".html", ".css", ".js"} and VENDOR not in p.parents]
    assert ours
    offenders = {str(p.relative_to(HERE)): OUTSIDE.findall(p.read_text(encoding="utf-8")) for p in ours}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_would_catch_a_cdn_link():
    assert OUTSIDE.search('<script src="https://cdn.jsdelivr.net/npm/htmx.org"></script>')
    assert OUTSIDE.search("background: url(//fonts.example.com/x.woff2)")
    assert not OUTSIDE.search('<a href="/static/app.css">')
