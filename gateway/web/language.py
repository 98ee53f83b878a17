"""Which language a page speaks: the person's saved choice, else the language cookie, else Chinese.

Chinese is the default because ShopLab's users are Chinese students and teachers; a browser asking for English
does not switch a classroom's screens by itself (the teacher's screenshots and the students' must match).
"""

from __future__ import annotations

from flask import g, request
from flask_babel import get_translations

DEFAULT_LOCALE = "zh_CN"
LOCALES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
COOKIE = "shoplab_lang"


def normalise(code: str | None) -> str | None:
    """``zh``, ``zh-CN``, ``zh_CN`` → ``zh_CN``; ``en``, ``en-US`` → ``en``; anything else → None."""
    if not code:
        return None
    code = code.replace("-", "_")
    if code.lower().startswith("zh"):
        return "zh_CN"
    if code.lower().startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector: ``g.user_locale`` (set by the pages from the signed-in person's saved
    choice), else the cookie, else the default. (Babel reads ``zh_CN`` as ``zh_Hans_CN``, the name of the Chinese
    catalogue's directory.)"""
    return normalise(getattr(g, "user_locale", None) or request.cookies.get(COOKIE)) or DEFAULT_LOCALE


def translations():
    """This request's catalogue, looked up once per request (Flask-Babel finds it anew at every string, which was
    a third of the time spent rendering a page of the queue)."""
    try:
        return g._shoplab_translations
    except AttributeError:
        found = g._shoplab_translations = get_translations()
        return found


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def install_fast_gettext(app) -> None:
    """Templates translate through :func:`translations` (same catalogue, same strings as Flask-Babel's)."""
    app.jinja_env.install_gettext_callables(
        lambda string: translations().ugettext(string),
        lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
    )
