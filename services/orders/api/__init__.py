"""The orders service's HTTP API: thin flask-smorest views around the business rules."""

from services.orders.api.after_sale import after_sale_api
from services.orders.api.catalog import catalog_api
from services.orders.api.injections import injection_targets_api
from services.orders.api.logistics import logistics_api
from services.orders.api.metrics import metrics_api
from services.orders.api.orders import orders_api
from services.orders.api.reminders import reminders_api

BLUEPRINTS = [catalog_api, orders_api, reminders_api, logistics_api, after_sale_api, metrics_api, injection_targets_api]
