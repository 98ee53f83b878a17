"""The reviews service's HTTP API: thin flask-smorest views around the business rules.

Buyer actions (the gateway's buyer API forwards them with the customer's id) and agent actions (the gateway sets
``agent_id`` from the signed-in student's session) are in separate modules."""

from services.reviews.api.agent_actions import agent_actions_api
from services.reviews.api.buyer_actions import buyer_actions_api
from services.reviews.api.injections import injection_targets_api
from services.reviews.api.metrics import metrics_api
from services.reviews.api.reviews import reviews_api

BLUEPRINTS = [reviews_api, buyer_actions_api, agent_actions_api, metrics_api, injection_targets_api]
