"""The orders API's request and response bodies (marshmallow; documented in /openapi.json), one module per
blueprint. Amounts are the shared ``Money`` field: integer cents inside, a two-place decimal string on the wire."""
