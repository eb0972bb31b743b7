"""The platform schema's Alembic revisions (env.py, versions/NNNN_*.py): sync.server.schema."""
