"""Quick phrases (快捷短语) and templates: {placeholders} filled from the ticket's order, usage per phrase and agent."""

from __future__ import annotations

from string import Formatter
from typing import Any

from sqlalchemy.orm import Session

from services.tickets.models import OrderFacts, Phrase, PhraseUsage, Ticket
from shoplab.contracts.money import wire
from shoplab.errors import InvalidInput
from shoplab.shops.context import ShopContext

PLACEHOLDERS = ("buyer_name", "order_no", "tracking_no", "carrier", "amount")
KINDS = ("phrase", "template")


def placeholders_in(text: str, field: str = "body") -> list[str]:
    """The placeholders a text uses; one we cannot fill is refused by name (422)."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise InvalidInput(
            "unbalanced braces in the text", {field: [f"{exc}; write {{{{ or }}}} for a brace"]}
        ) from exc
    names: list[str] = []
    unknown: list[str] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            unknown.append(name or "{}")
        elif name not in names:
            names.append(name)
    if unknown:
        raise InvalidInput(
            f"unknown placeholder {{{unknown[0]}}}",
            {field: [f"unknown placeholder {{{n}}}; known: {', '.join(PLACEHOLDERS)}" for n in unknown]},
            placeholders=unknown,
        )
    return names


def values_for(ticket: Ticket, facts: OrderFacts | None) -> dict[str, str | None]:
    amount = None
    if facts is not None and facts.total_cents is not None:
        amount = f"{wire(facts.total_cents)} {facts.currency or ''}".strip()
    return {
        "buyer_name": ticket.buyer_name or (facts.buyer_name if facts else None),
        "order_no": ticket.order_no or (facts.order_no if facts else None),
        "tracking_no": facts.tracking_no if facts else None,
        "carrier": facts.carrier if facts else None,
        "amount": amount,
    }


def fill(text: str, ticket: Ticket, facts: OrderFacts | None) -> str:
    """The text with every placeholder filled; a value this ticket does not know yet is refused by name."""
    names = placeholders_in(text)
    values = values_for(ticket, facts)
    missing = [name for name in names if not values.get(name)]
    if missing:
        raise InvalidInput(
            f"this ticket has no value for {{{missing[0]}}}",
            {"phrase_id": [f"no value for {{{n}}} on this ticket (its order does not say)" for n in missing]},
            placeholders=missing,
        )
    return text.format(**{name: values[name] for name in names})


def create(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Phrase:
    placeholders_in(data["body"])
    phrase = Phrase(
        shop_id=ctx.id,
        kind=data.get("kind", "phrase"),
        title=data["title"],
        body=data["body"],
        language=data.get("language", "zh"),
        grp=data.get("group"),
        created_wall_at=ctx.wall_now,
    )
    session.add(phrase)
    session.flush()
    return phrase


def get(session: Session, shop_id: str, phrase_id: int) -> Phrase:
    phrase = session.get(Phrase, phrase_id)
    if phrase is None or phrase.shop_id != shop_id:
        raise InvalidInput(f"no phrase {phrase_id} in this shop", {"phrase_id": ["unknown phrase"]})
    return phrase


def count_use(session: Session, ctx: ShopContext, phrase: Phrase, agent_id: str) -> None:
    usage = session.get(PhraseUsage, (phrase.shop_id, phrase.id, agent_id))
    if usage is None:
        usage = PhraseUsage(shop_id=phrase.shop_id, phrase_id=phrase.id, agent_id=agent_id, uses=0)
        session.add(usage)
    usage.uses += 1
    usage.last_used_wall_at = ctx.wall_now
