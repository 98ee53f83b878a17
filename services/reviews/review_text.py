"""What any text written on a review (the buyer's, the shop's reply, a contact note) must be, and its excerpt."""

from __future__ import annotations

import re

from shoplab.errors import InvalidInput

# Control characters other than tab and line breaks: PostgreSQL refuses NUL in text, and none belongs in a review.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

EXCERPT_CHARS = 140


def checked_text(text: str, field: str, max_chars: int, *, required: bool = True) -> str:
    """The text with its outer blanks taken off; 422 naming ``field`` when it is blank (and required), longer than
    ``max_chars`` characters, or carries control characters."""
    cleaned = text.strip()
    if required and not cleaned:
        raise InvalidInput(f"{field} is empty", {field: ["must not be blank"]})
    if len(cleaned) > max_chars:
        raise InvalidInput(f"{field} is too long", {field: [f"at most {max_chars} characters, got {len(cleaned)}"]})
    if _CONTROL.search(cleaned):
        raise InvalidInput(f"{field} has control characters", {field: ["must not contain control characters"]})
    return cleaned


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
