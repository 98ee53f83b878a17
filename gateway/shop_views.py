"""What the gateway answers itself inside a shop: the joined views (one call per screen) and the live stream."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from gateway import access, joined, live, queue_view
from gateway.models import AuthToken
from gateway.sessions import current_identity
from gateway.tokens import Identity
from shoplab.errors import InvalidInput
from shoplab.plumbing.database import Database
from shoplab.plumbing.web import db

views_api = Blueprint("shop_views", __name__, url_prefix="/api/v1/shops", description="Joined views and live updates")

KEEPALIVE_SECONDS = 10.0  # also how soon a closed connection frees its thread
RECHECK_SECONDS = 30.0  # a stream whose sign-in was revoked, or whose shop is no longer reached, ends this soon


def _shop_for_staff(shop_id: str):
    who = current_identity()
    with db().reading() as session:
        return who, access.visible_shop(session, who, shop_id)


@views_api.route("/<shop_id>/conversations/<ticket_id>")
class ConversationView(MethodView):
    @views_api.response(
        200,
        description="ticket (with messages), order, payments, tracking, refunds, returns, "
        "disputes, customer; a part whose service did not answer is null and named in 'unavailable'",
    )
    def get(self, shop_id: str, ticket_id: str):
        """One conversation and everything beside it, in one call (answers within 2 s even if a service is down)."""
        _, shop = _shop_for_staff(shop_id)
        body, status = joined.conversation(shop_id, ticket_id)
        if status == 200:
            body["clock"] = clock_of(shop)
        response = jsonify(body)
        response.status_code = status
        return response


class QueueQuery(Schema):
    tab = fields.String(load_default=None, validate=validate.OneOf(queue_view.TABS))
    kind = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list)
    status = fields.String(load_default="active", validate=validate.OneOf(queue_view.STATUSES))


@views_api.route("/<shop_id>/queue")
class QueueView(MethodView):
    @views_api.arguments(QueueQuery, location="query")
    @views_api.response(
        200,
        description="shop_now, clock, targets, chat_shop, counts (mine, unassigned, all), items (tickets with SLA due "
        "times, order_state, last_message, waiting_since), unavailable",
    )
    def get(self, query, shop_id: str):
        """The queue to work, longest-waiting buyer first: without ``tab`` a student's own active tickets and the
        unassigned ones (an instructor: every active ticket); ``tab`` = mine, unassigned or all; ``kind``
        (repeatable) and ``status`` (active, new, open, pending, resolved, closed) narrow it. Each row carries its
        SLA due times (shop time), its order's state, its last message and since when its buyer has waited (wall
        time); ``counts`` are the tabs' sizes under the same filters."""
        who, shop = _shop_for_staff(shop_id)
        body = queue_view.queue(
            shop_id,
            who.user_id if who.is_student else None,
            clock_of(shop),
            shop.platform,
            tab=query["tab"],
            kinds=query["kind"],
            status=query["status"],
        )
        return jsonify(body)


def clock_of(shop) -> dict:
    """The shop's clock as a client counts down with it: the shop's now and the wall's now read together."""
    wall_now = datetime.now(UTC)
    return {
        "shop_now": shop.clock.now(wall_now).isoformat(),
        "wall_now": wall_now.isoformat(),
        "speed": shop.clock.speed,
        "paused": shop.clock.paused,
    }


@views_api.route("/<shop_id>/stream")
class StreamView(MethodView):
    @views_api.response(200, content_type="text/event-stream", description="server-sent events, 'id' = sequence")
    def get(self, shop_id: str):
        """Live notifications of the shop (server-sent events): a ticket opened or assigned, a buyer's message, an
        SLA breach, an order's or a refund's change ... each with ids and a sequence number (the event's ``id``).
        Reconnect with ``Last-Event-ID`` (or ``?last_event_id=``) to get what was missed; an ``event: reset`` says
        that too much was missed: reload everything."""
        who, _ = _shop_for_staff(shop_id)
        last = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
        try:
            after = int(last) if last not in (None, "") else None
        except ValueError:
            raise InvalidInput("Last-Event-ID is a sequence number", {"Last-Event-ID": ["an integer"]}) from None
        stream = _events(db(), who, shop_id, after)
        return Response(
            stream,
            mimetype="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"},
        )


def _frame(entry: dict) -> str:
    return f"id: {entry['seq']}\nevent: {entry['type']}\ndata: {json.dumps(entry, ensure_ascii=False)}\n\n"


def _events(database: Database, who: Identity, shop_id: str, after: int | None) -> Iterator[str]:
    client = live.redis_client()
    inbox = live.HUB.subscribe(shop_id)  # first, so nothing published from now on is missed
    try:
        last = live.current_seq(client, shop_id) if after is None else after
        yield f"retry: 2000\nid: {last}\nevent: hello\ndata: {json.dumps({'shop_id': shop_id, 'seq': last})}\n\n"
        if after is not None:
            last = yield from _catch_up(client, shop_id, last)
        checked = time.monotonic()
        while True:
            try:
                item = inbox.get(timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                yield ": keep-alive\n\n"
                item = None
            if time.monotonic() - checked > RECHECK_SECONDS:
                if not _still_allowed(database, who, shop_id):
                    yield "event: signed_out\ndata: {}\n\n"
                    return
                checked = time.monotonic()
            if item is None:
                continue
            if item is live.RESYNC or item["seq"] > last + 1:
                last = yield from _catch_up(client, shop_id, last)
            elif item["seq"] == last + 1:
                yield _frame(item)
                last = item["seq"]
    finally:
        live.HUB.unsubscribe(shop_id, inbox)


def _catch_up(client, shop_id: str, last: int) -> Iterator[str]:
    entries, complete = live.since(client, shop_id, last)
    if not complete:
        current = live.current_seq(client, shop_id)
        yield f"id: {current}\nevent: reset\ndata: {json.dumps({'seq': current})}\n\n"
        return current
    for entry in entries:
        yield _frame(entry)
        last = entry["seq"]
    return last


def _still_allowed(database: Database, who: Identity, shop_id: str) -> bool:
    now = datetime.now(UTC)
    with database.reading() as session:
        live_token = session.scalar(
            select(AuthToken.id).where(
                AuthToken.id == who.token_id, AuthToken.revoked_wall_at.is_(None), AuthToken.expires_wall_at > now
            )
        )
        return live_token is not None and access.reaches_shop(session, who, shop_id)
