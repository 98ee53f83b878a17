"""The crm service's HTTP API: thin flask-smorest views around the rules. Every path is under
``/shops/<shop_id>/...``; the gateway forwards people's routes here with the acting person in ``agent_id``."""

from services.crm.api.care import care_api
from services.crm.api.customers import customers_api
from services.crm.api.imports import imports_api
from services.crm.api.marking import marking_api
from services.crm.api.metrics import metrics_api
from services.crm.api.rfm import rfm_api

BLUEPRINTS = [customers_api, marking_api, rfm_api, imports_api, care_api, metrics_api]
