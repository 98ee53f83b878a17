"""The UI's message catalogues: ``python -m gateway.web.catalog`` extracts every string of the templates and the
pages' Python code, merges them into ``translations/<locale>/LC_MESSAGES/messages.po`` and compiles the ``.mo``
files that are committed with them (so nothing is built at run time).

English is the source language: the English catalogue's translations are the strings themselves, the Chinese one
is written by hand. The command lists every string still untranslated and exits 1 when there is one; the tests
fail in the same case (tests/unit/web/test_catalogues.py).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
# Chinese (zh_CN) is read by Babel as zh_Hans_CN, and gettext looks for that directory name.
LOCALES = ("zh_Hans_CN", "en")
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extract() -> Catalog:
    """Every translatable string of the web package, with where it is used."""
    template = Catalog(project="ShopLab", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(HERE), METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="ShopLab")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def merged(locale: str, template: Catalog) -> Catalog:
    """The locale's catalogue updated to the extracted strings (English filled with the strings themselves)."""
    catalog = load(locale)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False  # the header: a fuzzy header is left out of the .mo, and with it the charset
    if locale == "en":
        for message in catalog:
            if message.id and not message.string:
                message.string = message.id
    return catalog


def missing(catalog: Catalog) -> list[str]:
    """Strings without a translation (plural forms need every form)."""
    gaps = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings) or message.fuzzy:
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def main() -> int:
    template = extract()
    exit_code = 0
    for locale in LOCALES:
        catalog = merged(locale, template)
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=120, sort_output=True, omit_header=False)
        path.with_suffix(".mo").write_bytes(compiled(catalog))
        gaps = missing(catalog)
        print(f"{locale}: {len(catalog)} strings, {len(gaps)} untranslated")
        for gap in gaps:
            print(f"  untranslated: {gap!r}")
        exit_code |= bool(gaps)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
