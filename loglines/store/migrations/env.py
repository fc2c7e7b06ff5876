"""Alembic's entry point, run by ``loglines.store.migrate`` only.

This folder is not a package: Alembic loads these files by path, and
importing this one outside a migration would run it. The connection comes
in ``config.attributes``, already in the transaction the caller commits.
"""

from alembic import context

from loglines.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # The store's SQLite connections run DDL inside BEGIN ... COMMIT too (see
    # engine.py), so a migration that fails half-way leaves nothing behind.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
