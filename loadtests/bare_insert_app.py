"""The benchmark's yardstick: a bare Flask endpoint doing one SQLAlchemy insert into a SQLite file tuned exactly
like a service database (same engine factory: WAL, synchronous=NORMAL, BEGIN IMMEDIATE for writers).

``gunicorn 'loadtests.bare_insert_app:create_app()'`` with ``BARE_DATABASE_URL`` set.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from shoplab.plumbing.database import make_engine

metadata = MetaData()
rows = Table(
    "bare_rows",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("sku", String(60)),
    Column("quantity", Integer),
    Column("created_at", DateTime(timezone=True)),
)


def create_table(url: str) -> None:
    """Before gunicorn starts: its workers would otherwise race to create the table."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    engine = make_engine(os.environ["BARE_DATABASE_URL"])
    writer = engine.execution_options(sqlite_immediate=True)
    app = Flask("bare")

    @app.post("/rows")
    def add_row():
        body = request.get_json()
        row_id = uuid.uuid4().hex
        with writer.begin() as conn:
            conn.execute(
                insert(rows).values(
                    id=row_id,
                    sku=body["lines"][0]["sku"],
                    quantity=body["lines"][0]["quantity"],
                    created_at=datetime.now(UTC),
                )
            )
        return jsonify({"id": row_id}), 201

    return app
