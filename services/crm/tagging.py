"""Tags on customers: manual ones (a student adds and removes them, with who and when) and automatic ones (the
profile's rules put them on and take them off). Every change is kept (the tag's row gets ``removed_*``; a new
row when it comes back) and published (``customer.tagged`` / ``customer.untagged``) for the live UI.

A rule's tag follows its rule: a student cannot remove it (409), and the rules' tag names are theirs alone (a
manual tag may not take one: 422), so a customer never carries the same tag twice.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.crm.models import Customer, Tag
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

MANUAL = "manual"
RULE = "rule"


_CURRENT = (
    select(Tag)
    .where(Tag.shop_id == bindparam("shop_id"), Tag.customer_id == bindparam("customer_id"), Tag.removed_at.is_(None))
    .order_by(Tag.added_at, Tag.id)
)  # built once: read after every event


def current_tags(session: Session, shop_id: str, customer_id: str) -> list[Tag]:
    return list(session.scalars(_CURRENT, {"shop_id": shop_id, "customer_id": customer_id}))


def history(session: Session, shop_id: str, customer_id: str) -> list[Tag]:
    return list(
        session.scalars(
            select(Tag).where(Tag.shop_id == shop_id, Tag.customer_id == customer_id).order_by(Tag.id.desc())
        )
    )


def _announce(session: Session, ctx: ShopContext, customer: Customer, tag: Tag, removed: bool) -> None:
    names = sorted({t.tag for t in current_tags(session, ctx.id, customer.customer_id)})
    publish(
        session,
        "customer.untagged" if removed else "customer.tagged",
        shop_id=ctx.id,
        payload={
            "customer_id": customer.customer_id,
            "customer_name": customer.name,
            "tag": tag.tag,
            "source": tag.source,
            "by": tag.removed_by if removed else tag.added_by,
            "note": tag.note,
            "at": ctx.shop_now,
            "wall_at": ctx.wall_now,
            "tags": names,
        },
    )


def _add(
    session: Session, ctx: ShopContext, customer: Customer, tag: str, source: str, by: str, note: str, announce: bool
) -> Tag:
    row = Tag(
        shop_id=ctx.id,
        customer_id=customer.customer_id,
        tag=tag,
        source=source,
        note=note,
        added_by=by,
        added_at=ctx.shop_now,
        added_wall_at=ctx.wall_now,
    )
    session.add(row)
    if announce:
        session.flush()
        _announce(session, ctx, customer, row, removed=False)
    return row


def _remove(session: Session, ctx: ShopContext, customer: Customer, row: Tag, by: str, announce: bool) -> None:
    row.removed_by = by
    row.removed_at = ctx.shop_now
    row.removed_wall_at = ctx.wall_now
    if announce:
        session.flush()
        _announce(session, ctx, customer, row, removed=True)


def apply_rules(
    session: Session,
    ctx: ShopContext,
    customer: Customer,
    wanted: set[str],
    *,
    have: dict[str, Tag] | None = None,
    announce: bool = True,
) -> None:
    """Make the customer's rule tags exactly ``wanted``. ``have``: their current rule tags when the caller read
    them already; ``announce``: publish each change. Nothing is read when ``customer.rule_tags`` says nothing
    changes (most events)."""
    names = " ".join(sorted(wanted))
    if have is None and customer.rule_tags == names:
        return
    if have is None:
        have = {t.tag: t for t in current_tags(session, ctx.id, customer.customer_id) if t.source == RULE}
    customer.rule_tags = names
    for tag in sorted(set(have) - wanted):
        _remove(session, ctx, customer, have[tag], f"rule:{tag}", announce)
    for tag in sorted(wanted - set(have)):
        _add(session, ctx, customer, tag, RULE, f"rule:{tag}", "", announce)


def add_manual(
    session: Session, ctx: ShopContext, customer: Customer, tag: str, agent_id: str, note: str, rule_tags: frozenset
) -> Tag:
    """409 when the customer has this tag already; 422 for a rule's tag name."""
    if tag in rule_tags:
        raise InvalidInput(f"{tag} is an automatic tag, set by its rule", {"tag": ["reserved for an automatic rule"]})
    for existing in current_tags(session, ctx.id, customer.customer_id):
        if existing.tag == tag:
            raise Conflict(
                f"the customer is tagged {tag} already",
                {"tag": [f"already on the customer ({existing.source}, by {existing.added_by})"]},
            )
    try:
        with session.begin_nested():
            return _add(session, ctx, customer, tag, MANUAL, agent_id, note, True)
    except IntegrityError:  # another student added it at the same moment
        raise Conflict(f"the customer is tagged {tag} already", {"tag": ["already on the customer"]})


def remove_manual(session: Session, ctx: ShopContext, customer: Customer, tag: str, agent_id: str) -> Tag:
    for existing in current_tags(session, ctx.id, customer.customer_id):
        if existing.tag != tag:
            continue
        if existing.source == RULE:
            raise Conflict(
                f"{tag} is an automatic tag: it follows its rule", {"tag": ["automatic tags cannot be removed"]}
            )
        _remove(session, ctx, customer, existing, agent_id, True)
        return existing
    raise NotFound(f"the customer has no tag {tag}", {"tag": ["not on the customer"]})
