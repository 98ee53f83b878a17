"""The tickets service's HTTP API: one flask-smorest blueprint per resource, thin views around the rules, every
path under ``/shops/<shop_id>/``. Each view builds the shop's context (and queue policy) once and passes it down."""

from services.tickets.api.agents import agents_api
from services.tickets.api.assignment import assignment_api
from services.tickets.api.disputes import disputes_api
from services.tickets.api.injections import injection_targets_api
from services.tickets.api.messages import messages_api
from services.tickets.api.metrics import metrics_api
from services.tickets.api.phrases import phrases_api
from services.tickets.api.settings import settings_api
from services.tickets.api.tickets import tickets_api

BLUEPRINTS = [
    tickets_api,
    messages_api,
    assignment_api,
    agents_api,
    settings_api,
    phrases_api,
    disputes_api,
    metrics_api,
    injection_targets_api,
]
