"""The tickets API's request and response bodies (marshmallow; they document /openapi.json), one module per
resource. Responses serialise the models (or a read model of ``views.py`` where a response joins rows)."""
