"""Alembic's environment for the registry: run inside the connection and transaction footprint opened.

footprint.registry.db opens the connection, takes the registry's write lock and passes the
connection in ``config.attributes["connection"]``; the migrations run in that one
transaction (DDL is transactional on SQLite and PostgreSQL), so concurrent first uses
create the schema once and a failure leaves the previous schema whole.
"""

from alembic import context

from footprint.registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the registry's migrations run through 'footprint registry upgrade', which passes the connection")
context.configure(connection=connection, target_metadata=Base.metadata, transactional_ddl=True, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
