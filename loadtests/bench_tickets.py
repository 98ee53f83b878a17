"""``make bench-tickets``: the service queue's reads on a year of history in the embedded (SQLite) database.

Generates 200,000 tickets and 1,000,000 messages (with the per-round reply facts, SLA breaches, ratings and
conversions the service keeps), in a private SHOPLAB_VAR_DIR, by bulk inserts. Then times, through the tickets
app's own HTTP layer (in-process test client, so no port is needed):

* the queue listing of one agent (active tickets, newest activity first, one page of 50);
* the metrics of the busiest shop for one month (``GET /shops/<id>/metrics``);

and, in the same run, the same metrics computed with pandas from the same rows (the tickets and the messages of
that month read with ``pandas.read_sql``, rounds rebuilt from the messages). It checks that both give the same
numbers and prints the medians and the ratio. Targets: metrics < 300 ms median on SQLite, >= 5x faster than pandas.

Environment: BENCH_TICKETS (200000), BENCH_MESSAGES (1000000), BENCH_RUNS (15), BENCH_KEEP=1 keeps the var dir.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

VAR_DIR = Path(tempfile.mkdtemp(prefix="shoplab-bench-tickets-"))
os.environ["SHOPLAB_VAR_DIR"] = str(VAR_DIR)  # before any ShopLab module reads its settings
os.environ.setdefault("SHOPLAB_INTERNAL_TOKEN", "bench-token")
os.environ.setdefault("SHOPLAB_SECRET_KEY", "bench-secret")
os.environ.pop("TICKETS_DATABASE_URL", None)
os.environ.pop("DATABASE_URL", None)

import pandas as pd  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from services.tickets.models import Agent, Message, ReplyRound, SlaBreach, Ticket  # noqa: E402
from shoplab.shops.replica import ShopCopy  # noqa: E402

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
MONTH = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
NOW = datetime(2026, 12, 31, tzinfo=UTC)  # "now" for the metrics: every round of the month is decided
WITHIN = 180  # taobao's 3-minute response rate
MAIN_SHOP = "bench-main"
SHOPS = {MAIN_SHOP: 0.75, "bench-b": 0.1, "bench-c": 0.1, "bench-d": 0.05}
AGENTS = [f"agent{i:02d}" for i in range(20)]
KINDS = [("pre_sale", 45), ("order", 25), ("logistics", 8), ("refund", 8), ("return", 4), ("complaint", 3),
         ("payment_reminder", 7)]  # fmt: skip
GROUP = {"pre_sale": "pre_sale", "payment_reminder": "pre_sale"}


def generate(rng: random.Random, tickets_wanted: int, messages_wanted: int) -> dict[str, list[dict[str, Any]]]:
    """A year of a busy class: conversations with overlapping buyer messages, auto replies, notes, unanswered
    rounds, resolutions, ratings, conversions and SLA breaches, consistent with what the service writes."""
    tables: dict[str, list[dict[str, Any]]] = {"tickets": [], "messages": [], "rounds": [], "breaches": []}
    kinds, weights = zip(*KINDS, strict=True)
    shops, shop_weights = zip(*SHOPS.items(), strict=True)
    span = 350 * 86400
    for n in range(tickets_wanted):
        shop = rng.choices(shops, shop_weights)[0]
        kind = rng.choices(kinds, weights)[0]
        tid = f"t{n:07d}"
        opened = YEAR + timedelta(seconds=rng.uniform(0, span))
        agent = rng.choice(AGENTS)
        grp = GROUP.get(kind, "after_sale")
        active = opened > YEAR + timedelta(seconds=span - 4 * 86400)
        ticket = {
            "id": tid, "shop_id": shop, "kind": kind, "grp": grp, "status": "open", "subject": "", "channel": "chat",
            "language": "zh", "source": "buyer", "source_ref": None, "customer_id": f"c{rng.randrange(60000)}",
            "buyer_name": "买家", "order_id": None, "order_no": None, "assignee_id": agent, "served_by": None,
            "resolved_by": None, "opened_wall_at": opened, "opened_at": opened, "updated_wall_at": opened,
            "first_replied_wall_at": None, "first_response_seconds": None, "resolved_wall_at": None,
            "resolution_seconds": None,
            "closed_wall_at": None, "close_reason": None, "reopen_count": 0, "round_count": 0, "awaiting_reply": False,
            "first_response_due_at": None, "next_response_due_at": None,
            "resolution_due_at": opened + timedelta(days=1),
            "paused_at": None, "paused_seconds": 0.0, "first_response_breached": False,
            "next_response_breached": False, "resolution_breached": False, "breach_count": 0, "csat_score": None,
            "csat_comment": None, "rated_wall_at": None, "converted_wall_at": None, "converted_order_id": None,
            "converted_amount_cents": None,
        }  # fmt: skip
        messages = tables["messages"]
        times: list[datetime] = []

        def message(author: str, kind_: str, at: datetime, who: str | None = None, tid: str = tid, shop: str = shop,
                    times: list[datetime] = times, messages: list = messages) -> None:  # fmt: skip
            times.append(at)
            messages.append({"shop_id": shop, "ticket_id": tid, "author": author, "kind": kind_, "agent_id": who,
                             "body": "亲，在的", "channel": "chat", "language": "zh", "created_wall_at": at,
                             "phrase_id": None, "warnings": None})  # fmt: skip

        t = opened
        if kind == "payment_reminder":
            ticket["source"] = "payment.reminder_due"
            message("system", "event", t)
            t += timedelta(seconds=rng.uniform(60, 7200))
            message("agent", "message", t, agent)
            ticket["served_by"] = agent
            ticket["status"] = "open" if active else "closed"
            ticket["close_reason"] = None if active else "reminder_sent"
            ticket["closed_wall_at"] = None if active else t
            ticket["updated_wall_at"] = t
            tables["tickets"].append(ticket)
            continue
        ticket["first_response_due_at"] = opened + timedelta(seconds=180)
        rounds = min(1 + int(rng.expovariate(1.3)), 5)
        last_reply = None
        for seq in range(1, rounds + 1):
            start = t
            unanswered = seq == rounds and rng.random() < (0.3 if active else 0.03)
            delay = min(max(rng.lognormvariate(math.log(45), 1.2), 2.0), 86400.0)
            message("buyer", "message", start)
            if seq == 1:
                message("system", "auto_reply", start)
            for _ in range(rng.choices([0, 1, 2], [60, 30, 10])[0]):  # the buyer writes again before the answer
                message("buyer", "message", start + timedelta(seconds=rng.uniform(0.5, 0.9) * delay))
            row = {"shop_id": shop, "ticket_id": tid, "grp": grp, "seq": seq, "is_first": seq == 1, "agent_id": agent,
                   "started_wall_at": start, "replied_wall_at": None, "reply_seconds": None}  # fmt: skip
            tables["rounds"].append(row)
            ticket["round_count"] = seq
            if unanswered:
                ticket["awaiting_reply"] = True
                break
            reply = start + timedelta(seconds=delay)
            message("agent", "message", reply, agent)
            row["replied_wall_at"], row["reply_seconds"] = reply, delay
            if seq == 1:
                ticket.update(first_replied_wall_at=reply, first_response_seconds=delay, served_by=agent)
            if delay > 180:
                target = "first_response" if seq == 1 else "next_response"
                ticket[f"{target}_breached"] = True
                ticket["breach_count"] += 1
                tables["breaches"].append({"shop_id": shop, "ticket_id": tid, "target": target,
                                           "due_at": start + timedelta(seconds=180), "detected_at": reply,
                                           "agent_id": agent, "grp": grp, "ticket_opened_wall_at": opened})  # fmt: skip
            if rng.random() < 0.05:
                message("agent", "note", reply + timedelta(seconds=5), agent)
            last_reply = reply
            t = reply + timedelta(seconds=rng.uniform(30, 3 * 3600))
        ticket["updated_wall_at"] = max(times)
        if not active and not ticket["awaiting_reply"] and last_reply is not None and rng.random() < 0.92:
            resolved = last_reply + timedelta(seconds=rng.uniform(60, 4 * 3600))
            ticket.update(status="resolved", resolved_wall_at=resolved, resolved_by=agent, updated_wall_at=resolved,
                          resolution_seconds=(resolved - opened).total_seconds())  # fmt: skip
            if ticket["resolution_seconds"] > 86400:
                ticket["resolution_breached"] = True
                ticket["breach_count"] += 1
                tables["breaches"].append({"shop_id": shop, "ticket_id": tid, "target": "resolution",
                                           "due_at": opened + timedelta(days=1), "detected_at": resolved,
                                           "agent_id": agent, "grp": grp, "ticket_opened_wall_at": opened})  # fmt: skip
            if rng.random() < 0.3:
                rated_at = resolved + timedelta(seconds=rng.uniform(10, 3600))
                score = rng.choices([1, 2, 3, 4, 5], [3, 4, 10, 33, 50])[0]
                ticket.update(csat_score=score, rated_wall_at=rated_at, csat_comment="")
            if kind == "pre_sale" and rng.random() < 0.35:
                ticket.update(converted_wall_at=resolved, converted_order_id=f"o{n}", converted_amount_cents=9900)
        elif not active and ticket["awaiting_reply"]:
            ticket.update(status="closed", closed_wall_at=t + timedelta(days=3), close_reason="agent")
        tables["tickets"].append(ticket)
    # top up with internal notes to the exact message count (notes change no metric)
    extra = messages_wanted - len(tables["messages"])
    picks = rng.sample(range(len(tables["tickets"])), k=min(max(extra, 0), len(tables["tickets"])))
    while extra > 0:
        for i in picks[:extra]:
            ticket = tables["tickets"][i]
            tables["messages"].append({"shop_id": ticket["shop_id"], "ticket_id": ticket["id"], "author": "agent",
                                       "kind": "note", "agent_id": ticket["assignee_id"], "body": "备注",
                                       "channel": "internal", "language": "zh", "phrase_id": None, "warnings": None,
                                       "created_wall_at": ticket["opened_wall_at"] + timedelta(seconds=1)})  # fmt: skip
        extra = messages_wanted - len(tables["messages"])
    return tables


def load(db, tables: dict[str, list[dict[str, Any]]]) -> None:
    with db.writing() as session:
        for shop_id in SHOPS:
            clock = {"wall_anchor": YEAR, "sim_anchor": YEAR, "speed": 1.0, "paused": False, "clock_version": 1}
            session.add(ShopCopy(id=shop_id, name=shop_id, platform="taobao", currency="CNY", opened_wall_at=YEAR,
                                 **clock))  # fmt: skip
            for agent in AGENTS:
                session.add(Agent(shop_id=shop_id, agent_id=agent, display_name=agent, skills="", status="online",
                                  joined_wall_at=YEAR))  # fmt: skip
    chunk = 50_000
    for model, rows in ((Ticket, tables["tickets"]), (Message, tables["messages"]), (ReplyRound, tables["rounds"]),
                        (SlaBreach, tables["breaches"])):  # fmt: skip
        for i in range(0, len(rows), chunk):
            with db.engine.begin() as conn:
                conn.execute(insert(model), rows[i : i + chunk])
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def pandas_metrics(engine, shop_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    """The same formulas the long way: read the month's rows, rebuild rounds from the raw messages, aggregate."""
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    lo, hi = (start - timedelta(days=14)).strftime(fmt), end.strftime(fmt)
    tickets = pd.read_sql_query(
        "SELECT id, kind, customer_id, opened_wall_at AS opened_at, resolved_wall_at AS resolved_at,"
        " resolution_seconds, rated_wall_at AS rated_at, csat_score, converted_wall_at AS converted_at, assignee_id"
        " FROM tickets"
        " WHERE shop_id = ? AND (opened_wall_at >= ? AND opened_wall_at < ? OR resolved_wall_at >= ? AND "
        "resolved_wall_at < ? OR rated_wall_at >= ? AND rated_wall_at < ?)",
        engine,
        params=(shop_id, lo, hi, start.strftime(fmt), hi, start.strftime(fmt), hi),
        parse_dates=["opened_at", "resolved_at", "rated_at", "converted_at"],
    )
    messages = pd.read_sql_query(
        "SELECT m.id, m.ticket_id, m.author, m.kind, m.created_wall_at AS created_at FROM messages m "
        "JOIN tickets t ON t.id = m.ticket_id "
        "WHERE t.shop_id = ? AND t.opened_wall_at >= ? AND t.opened_wall_at < ? AND m.shop_id = ?",
        engine,
        params=(shop_id, lo, hi, shop_id),
        parse_dates=["created_at"],
    )
    breaches = pd.read_sql_query(
        "SELECT b.ticket_id, b.target, t.opened_wall_at AS opened_at FROM sla_breaches b "
        "JOIN tickets t ON t.id = b.ticket_id WHERE b.shop_id = ? AND t.opened_wall_at >= ? AND t.opened_wall_at < ?",
        engine,
        params=(shop_id, start.strftime(fmt), hi),
    )
    s, e, now = (pd.Timestamp(x.replace(tzinfo=None)) for x in (start, end, NOW))
    chat = messages[messages["kind"] == "message"].sort_values(["ticket_id", "created_at", "id"])
    buyer = chat["author"] == "buyer"
    previous_buyer = buyer.groupby(chat["ticket_id"]).shift(1, fill_value=False).astype(bool)
    chat = chat.assign(buyer=buyer, round_no=(buyer & ~previous_buyer).groupby(chat["ticket_id"]).cumsum())
    chat = chat[chat["round_no"] > 0]
    started = chat[chat["buyer"]].groupby(["ticket_id", "round_no"])["created_at"].min().rename("started")
    replied = chat[~chat["buyer"]].groupby(["ticket_id", "round_no"])["created_at"].min().rename("replied")
    rounds = pd.concat([started, replied], axis=1).reset_index()
    rounds = rounds[(rounds["started"] >= s) & (rounds["started"] < e)]
    rounds["reply_seconds"] = (rounds["replied"] - rounds["started"]).dt.total_seconds()
    first = rounds[rounds["round_no"] == 1]

    def stats(values: pd.Series) -> dict[str, Any]:
        values = values.dropna().sort_values().reset_index(drop=True)
        n = len(values)
        if not n:
            return {"count": 0, "mean": None, "median": None, "p90": None}
        return {"count": n, "mean": round(values.mean(), 3), "median": round(float(values.median()), 3),
                "p90": round(float(values.iloc[math.ceil(0.9 * n) - 1]), 3)}  # fmt: skip

    decided = rounds["replied"].notna() | (rounds["started"] <= now - pd.Timedelta(seconds=WITHIN))
    in_time = int((rounds["reply_seconds"] <= WITHIN).sum())
    resolved = tickets[(tickets["resolved_at"] >= s) & (tickets["resolved_at"] < e)]
    rated = tickets[(tickets["rated_at"] >= s) & (tickets["rated_at"] < e)]
    asked = tickets[(tickets["opened_at"] >= s) & (tickets["opened_at"] < e) & (tickets["kind"] == "pre_sale")]
    buyers = asked["customer_id"].nunique()
    paid = asked[asked["converted_at"].notna()]["customer_id"].nunique()
    serious = breaches[breaches["target"].isin(["first_response", "resolution"])]
    return {
        "first_response": {**stats(first["reply_seconds"]), "unanswered": int(first["replied"].isna().sum())},
        "response": {"average": stats(rounds["reply_seconds"]), "rate_within": round(in_time / int(decided.sum()), 4)},
        "resolution": stats(resolved["resolution_seconds"]),
        "sla_breach_tickets": serious["ticket_id"].nunique(),
        "csat": {
            "rated": len(rated),
            "mean": round(rated["csat_score"].mean(), 3),
            "satisfaction": round((rated["csat_score"] >= 4).sum() / len(rated), 4),
        },  # fmt: skip
        "conversion": round(paid / buyers, 4) if buyers else None,
    }


def comparable(sql: dict[str, Any]) -> dict[str, Any]:
    first = sql["first_response"]
    return {
        "first_response": {k: first[k] for k in ("count", "mean", "median", "p90", "unanswered")},
        "response": {"average": sql["response"]["average"], "rate_within": sql["response"]["rate_within"]},
        "resolution": sql["resolution"],
        "sla_breach_tickets": sql["sla_breaches"]["tickets"],
        "csat": sql["csat"],
        "conversion": sql["inquiry_conversion"]["rate"],
    }


def timed(fn, runs: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def main() -> int:
    tickets_wanted = int(os.environ.get("BENCH_TICKETS", 200_000))
    messages_wanted = int(os.environ.get("BENCH_MESSAGES", 1_000_000))
    runs = int(os.environ.get("BENCH_RUNS", 15))
    try:
        from services.tickets.app import create_app

        app = create_app({"DATABASE_URL": f"sqlite:///{VAR_DIR / 'tickets.sqlite3'}"})
        db = app.extensions["shoplab"].db
        started = time.perf_counter()
        tables = generate(random.Random(20261123), tickets_wanted, messages_wanted)
        generated = time.perf_counter() - started
        load(db, tables)
        loaded = time.perf_counter() - started - generated
        counts = {name: len(rows) for name, rows in tables.items()}
        main_month = sum(1 for t in tables["tickets"] if t["shop_id"] == MAIN_SHOP and MONTH[0] <= t["opened_wall_at"] <
                         MONTH[1])  # fmt: skip
        del tables
        print(f"generated {counts['tickets']:,} tickets, {counts['messages']:,} messages, {counts['rounds']:,} "
              f"reply rounds, {counts['breaches']:,} SLA breaches in {generated:.1f} s")  # fmt: skip
        print(f"bulk-loaded in {loaded:.1f} s")
        print(f"database: {VAR_DIR / 'tickets.sqlite3'} ({(VAR_DIR / 'tickets.sqlite3').stat().st_size / 1e6:.0f} MB)")
        print(f"busiest shop {MAIN_SHOP}: {main_month:,} tickets opened in {MONTH[0]:%Y-%m}")

        client = app.test_client()
        headers = {"X-ShopLab-Internal-Token": os.environ["SHOPLAB_INTERNAL_TOKEN"]}
        month = {"from": MONTH[0].isoformat(), "to": MONTH[1].isoformat()}

        def get(url: str, query: dict[str, Any]) -> dict[str, Any]:
            response = client.get(url, query_string=query, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            return response.get_json()

        queue_ms, queue = timed(
            lambda: get(f"/shops/{MAIN_SHOP}/tickets", {"assignee": "agent07", "status": "active", "limit": 50}), runs
        )
        from services.tickets import metrics as metrics_module

        def sql_metrics() -> dict[str, Any]:
            with db.reading() as session:
                scope = metrics_module.Scope(MAIN_SHOP, *MONTH)
                return metrics_module.compute(session, scope, within=WITHIN, now=NOW)

        http_ms, _ = timed(lambda: get(f"/shops/{MAIN_SHOP}/metrics", month), runs)
        agent_ms, _ = timed(lambda: get(f"/shops/{MAIN_SHOP}/metrics", {**month, "agent": "agent07"}), runs)
        sql_ms, sql = timed(sql_metrics, runs)
        pandas_ms, pandas_result = timed(lambda: pandas_metrics(db.engine, MAIN_SHOP, *MONTH), max(3, runs // 3))
        match = comparable(sql) == pandas_result
        load_avg = os.getloadavg()
        print()
        print(f"{'median over runs (ms)':44}{'median':>10}")
        print(f"{'queue listing, one agent (HTTP, 50 rows)':44}{queue_ms:>10.1f}   ({queue['total']} active tickets)")
        print(f"{'metrics, shop x month (HTTP)':44}{http_ms:>10.1f}")
        print(f"{'metrics, one agent x month (HTTP)':44}{agent_ms:>10.1f}")
        print(f"{'metrics, shop x month (SQL, no HTTP)':44}{sql_ms:>10.1f}")
        print(f"{'same metrics with pandas (read + compute)':44}{pandas_ms:>10.1f}")
        ratio = pandas_ms / http_ms
        print()
        print(f"ratio pandas / SQL metrics (HTTP): {ratio:.1f}x  (target >= 5x: {'met' if ratio >= 5 else 'MISSED'})")
        print(f"metrics median {http_ms:.1f} ms (target < 300 ms: {'met' if http_ms < 300 else 'MISSED'})")
        print(f"SQL and pandas results identical: {'yes' if match else 'NO'}")
        if not match:
            print("SQL:   ", comparable(sql))
            print("pandas:", pandas_result)
        print(f"first response in {MONTH[0]:%Y-%m}: {sql['first_response']}")
        print(f"load average after the run: {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f} "
              f"on {os.cpu_count()} cores")  # fmt: skip
        return 0 if match else 1
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
