from __future__ import annotations

from alembic import context

config = context.config
engine = config.attributes["engine"]
metadata = config.attributes.get("metadata") or None

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
