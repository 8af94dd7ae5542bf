"""The shared database's schema in the registry's database, and its transactions.

The registry's engine, URL, write lock and schema check are :mod:`footprint.registry.db`'s;
this module adds the shared database's tables with their own migrations (``migrations/``,
version table ``shareddb_version``) the first time a registry is used for them, under the
registry's write lock, and refuses a revision it does not know (written by a newer footprint).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from footprint.registry import db as registry_db
from footprint.registry.db import RegistryError, describe
from footprint.registry.db import transaction as registry_transaction

#: The shared database's revisions, oldest first; the last is the schema the code is written for.
REVISIONS = ("0002",)
HEAD = REVISIONS[-1]
VERSION_TABLE = "shareddb_version"

_READY: set = set()


def current_revision(connection) -> str | None:
    """The shared database's revision in the database; None when its version table is absent."""
    from sqlalchemy import inspect, text

    if VERSION_TABLE not in inspect(connection).get_table_names():
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return ",".join(sorted(rows)) or None


def ensure_schema(registry: str | os.PathLike | None = None):
    """The registry's engine, with the shared database's tables created if absent (once per URL and process).

    Raises
    ------
    RegistryError
        The registry cannot be used, or its shared tables are at a revision this code does not know.
    """
    made = registry_db.engine(registry)
    url = made.url.render_as_string(hide_password=False)
    key = (url, os.getpid())
    if key in _READY:
        return made
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import DBAPIError

    try:
        with made.connect() as connection:
            revision = current_revision(connection)
        if revision is None or revision != HEAD:
            if revision is not None and revision not in REVISIONS:
                raise RegistryError(f"{describe(url)}: shared database revision {revision} is newer than this footprint "
                                    f"knows (up to {HEAD}); install the footprint release that wrote it")
            config = Config()
            config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
            with made.execution_options(footprint_write=True).connect() as connection:
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({registry_db.LOCK_KEY})")
                    if current_revision(connection) != HEAD:  # another process may have done it while we waited
                        config.attributes["connection"] = connection
                        command.upgrade(config, "head")
    except DBAPIError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        raise RegistryError(f"{describe(url)}: cannot use the registry ({reason})") from None
    _READY.add(key)
    return made


@contextlib.contextmanager
def transaction(registry: str | os.PathLike | None = None, *, write: bool = True):
    """The registry's transaction (:func:`footprint.registry.db.transaction`), the shared tables made sure of first."""
    ensure_schema(registry)
    with registry_transaction(registry, write=write) as session:
        yield session
