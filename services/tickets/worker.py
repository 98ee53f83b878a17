"""The tickets service's worker, on its own queue: `celery -A services.tickets.worker worker -Q tickets`.

Besides event delivery it runs the queue's timers (sent by the one beat, see shoplab.timetable): SLA breach
detection and dispute escalation, each a pass over every shop at that shop's simulated "now".
"""

from services.tickets import disputes, sla
from services.tickets.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)


@app.task(name="tickets.check_sla")
def check_sla() -> int:
    with runtime().db.writing() as session:
        return sla.detect_breaches(session)


@app.task(name="tickets.escalate_disputes")
def escalate_disputes() -> int:
    with runtime().db.writing() as session:
        return disputes.escalate_due(session)
