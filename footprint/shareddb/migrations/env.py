"""Alembic's environment for the shared database's tables: run inside the connection and transaction footprint opened.

footprint.shareddb.db opens the connection, takes the registry's write lock and passes the
connection in ``config.attributes["connection"]``; the revisions are recorded in their own
version table (``shareddb_version``), beside the registry's ``alembic_version``.
"""

from alembic import context

from footprint.shareddb.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the shared database's migrations run through footprint.shareddb.db, which passes the connection")
context.configure(connection=connection, target_metadata=Base.metadata, transactional_ddl=True, render_as_batch=True,
                  version_table="shareddb_version")
with context.begin_transaction():
    context.run_migrations()
