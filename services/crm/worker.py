"""The crm service's worker, on its own queue: `celery -A services.crm.worker worker -Q crm`."""

from services.crm.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
