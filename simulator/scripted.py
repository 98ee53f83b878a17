"""A scenario's scripted injection on the real stack: the body of the gateway's route for the run
(``POST /internal/scenario-runs/<run_id>/injections``, the internal credential), the same body an instructor sends.

The simulator has chosen the target (the order of one of its own journeys) and written the buyer's words in the
buyer's language; the gateway checks the order with its owner, records the injection as the run's and sends it on
as ``injection.<kind>``. Its answer is the record: ``outcome: "skipped"`` (the order moved on, nothing fits) becomes
a refusal here, so the engine records the injection as refused and no buyer acts on it; that is a fact of what the
shop did, never of timing, as determinism asks (docs/simulator.md).

What the owner creates (the conversation, the dispute, the review) is made through the bus after the answer, so the
answer names only the injection and its order: a buyer whose follow-up needs the conversation's id does not follow
up on the real stack (the student finds the item in the queue all the same).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from shoplab import settings
from shoplab.plumbing.auth import HEADER
from simulator.gateway_http import GatewayHttp
from simulator.port import Injection, Refused

MAX_FLOOD = 50  # the gateway's limit of a flood; a scenario may ask for more buyers than one injection sends
TEXT_KINDS = frozenset(
    {"dispute", "one_star_review", "angry_message"}
)  # the buyer's words (a parcel's are the carrier's)
REASON_KINDS = frozenset({"dispute", "failed_payment"})


def body_of(injection: Injection) -> dict[str, Any]:
    """The instructor's body for what the simulator chose. A flood sends only its size: the gateway gives each of its
    buyers their own question (one text would make them all ask the same)."""
    body: dict[str, Any] = {"kind": injection.kind}
    if injection.order_id:
        body["order_id"] = injection.order_id
    if injection.text and injection.kind in TEXT_KINDS:
        body["text"] = injection.text[:2000]
    if injection.reason and injection.kind in REASON_KINDS:
        body["reason"] = injection.reason
    if injection.kind == "presale_flood":
        body["count"] = max(1, min(len(injection.messages), MAX_FLOOD))
    if injection.note:
        body["note"] = injection.note[:400]  # the gateway puts "scripted by scenario ..." before it
    return body


def send(http: GatewayHttp, run_id: str, injection: Injection) -> Mapping[str, str]:
    """Inject for the run; the ids the engine keeps (the injection's, its order's). A refusal (4xx) or a skip raises
    ``Refused``; a gateway away or failing raises ``GatewayUnavailable`` (the tick ends, as for a buyer's step)."""
    path = f"/internal/scenario-runs/{quote(run_id, safe='')}/injections"
    status, answer = http.request("POST", path, headers={HEADER: settings.internal_token()}, body=body_of(injection))
    answer = answer if isinstance(answer, dict) else {}
    if status >= 400:
        raise Refused(status, str(answer.get("message") or answer.get("error") or status), answer.get("fields"))
    if answer.get("outcome") == "skipped":
        raise Refused(409, f"skipped: {answer.get('skipped_reason')}")
    return {"injection_id": answer["id"], **({"order_id": answer["order_id"]} if answer.get("order_id") else {})}
