"""Alembic's entry for the platform schema: migrations run on the connection they are given.

sync.server.schema opens the connection (inside one write transaction) and hands it over in
`config.attributes["connection"]`; there is no alembic.ini and no URL here.
"""

from __future__ import annotations

from alembic import context

from sync.server.db import metadata

connection = context.config.attributes["connection"]
# render_as_batch: SQLite cannot ALTER most things; autogenerate writes batch operations for it.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
