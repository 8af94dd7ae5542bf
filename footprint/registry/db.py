"""Where the registry is, and one transaction at a time that writes to it.

The registry is a SQLite file in the data directory (``registry.sqlite`` in FOOTPRINT_HOME,
write-ahead log, synchronous writes, foreign keys on) unless ``FOOTPRINT_REGISTRY`` (or a
``registry=`` argument, ``--registry`` on the command line) names another: a PostgreSQL URL
(``postgresql://user@host/db``, driven by psycopg 3) or another SQLite file.

Writes are serialised: a write transaction takes the registry's write lock first
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-level advisory lock), so the event
chain and the certificate numbers advance one transaction at a time, and a process killed
in the middle leaves no half of anything (the database rolls the transaction back).

The schema belongs to the Alembic migrations shipped in ``migrations/``. A new, empty
database is created at first use; a database at an older revision is refused until
``footprint registry upgrade``; one at a revision this code does not know (newer) is refused.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from footprint.errors import FootprintError
from footprint.resources import ensure_home, home

#: The environment variable naming the registry (a URL or a SQLite file).
ENV = "FOOTPRINT_REGISTRY"
#: The SQLite file of the data directory.
SQLITE_NAME = "registry.sqlite"
#: The folder of the Alembic migrations (package data).
MIGRATIONS = Path(__file__).with_name("migrations")
#: PostgreSQL advisory lock id of the registry's writers (any fixed 64-bit number).
LOCK_KEY = 5_723_172_160_001
#: How long a writer waits for the lock [s] before giving up with an error.
LOCK_TIMEOUT = 120


class RegistryError(FootprintError, RuntimeError):
    """The registry cannot be used: unreachable, locked too long, not a registry, or at another schema revision."""


_KNOWN: list = []


def known_revisions() -> tuple:
    """The migrations shipped with this code, oldest first; the last is the schema the code is written for.

    Read from ``migrations/versions`` (a later migration, from another module of footprint,
    moves the head without a change here).
    """
    if not _KNOWN:
        from alembic.script import ScriptDirectory

        scripts = ScriptDirectory(str(MIGRATIONS))
        heads = scripts.get_heads()
        if len(heads) != 1:
            raise RegistryError(f"{MIGRATIONS}: the migrations have {len(heads)} heads ({', '.join(heads)}); expected one line of revisions")
        _KNOWN.extend(reversed([script.revision for script in scripts.walk_revisions()]))
    return tuple(_KNOWN)


def head_revision() -> str:
    """The schema revision this code is written for (the last migration)."""
    return known_revisions()[-1]


def registry_url(registry: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL of the registry: ``registry``, else ``FOOTPRINT_REGISTRY``, else the data directory's SQLite file.

    ``postgresql://`` and ``postgres://`` URLs get the psycopg 3 driver; a path without a
    scheme is a SQLite file.
    """
    value = str(registry or os.environ.get(ENV) or "").strip()
    if not value:
        return f"sqlite:///{home() / SQLITE_NAME}"
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


_ENGINES: dict = {}


def engine(registry: str | os.PathLike | None = None):
    """The engine of the registry (one per URL and process), its schema checked (and created when the database is empty).

    Raises
    ------
    RegistryError
        Unreachable, not a registry, or at a revision this code does not run on.
    """
    url = registry_url(registry)
    key = (url, os.getpid())
    if key in _ENGINES:
        return _ENGINES[key]
    made = _make_engine(url)
    check_schema(made, create=True)
    _ENGINES[key] = made
    return made


def _make_engine(url):
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    path = sqlite_path(url)
    if url.startswith("sqlite"):
        if path is not None:
            if os.environ.get(ENV) is None and path.parent == home():
                ensure_home()
            if not path.parent.is_dir():
                raise RegistryError(f"{describe(url)}: the folder {path.parent} does not exist; expected a folder for the registry file")
        # NullPool: a connection per transaction; nothing held open between commands of a long process
        made = create_engine(url, poolclass=NullPool, connect_args={"timeout": LOCK_TIMEOUT})

        @event.listens_for(made, "connect")
        def _connect(connection, _record):
            connection.isolation_level = None  # the driver's own BEGIN off: the "begin" hook below says which
            cursor = connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", f"busy_timeout={LOCK_TIMEOUT * 1000}"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(made, "begin")
        def _begin(connection):
            write = connection.get_execution_options().get("footprint_write")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return made
    if url.startswith("postgresql"):
        return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 10})
    raise RegistryError(f"{describe(url)}: not a registry URL; expected postgresql://... or a SQLite file (sqlite:///path)")


def _unreachable(url, exc):
    reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
    return RegistryError(f"{describe(url)}: cannot use the registry ({reason})")


def current_revision(connection) -> str | None:
    """The schema revision recorded in the database; None when it has no ``alembic_version`` table."""
    from sqlalchemy import inspect

    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return rows[0] if len(rows) == 1 else ",".join(sorted(rows)) or None


def check_schema(made, *, create: bool) -> str:
    """Check the database's schema revision against :func:`head_revision`; create the schema in an empty database.

    Raises
    ------
    RegistryError
        Tables but no revision (not a registry), an older revision (run ``footprint registry
        upgrade``), or a revision this code does not know (a newer footprint wrote it).
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    url = made.url.render_as_string(hide_password=False)
    try:
        with made.connect() as connection:
            revision = current_revision(connection)
            tables = inspect(connection).get_table_names()
    except DBAPIError as exc:
        raise _unreachable(url, exc) from None
    head = head_revision()
    if revision is None:
        _refuse_foreign(url, tables)
        if not create:
            return ""
        _upgrade(made)
        return head
    if revision == head:
        return revision
    if revision in known_revisions():
        raise RegistryError(f"{describe(url)}: schema revision {revision} is older than this footprint's {head}; run "
                            "'footprint registry upgrade' (back the database up first)")
    raise RegistryError(f"{describe(url)}: schema revision {revision} is newer than this footprint knows (up to {head}); "
                        "refusing to run on it: install the footprint release that wrote it")


def _refuse_foreign(url, tables):
    """A database with tables but no registry revision is someone else's: never written to."""
    if tables:
        raise RegistryError(f"{describe(url)}: holds tables ({', '.join(sorted(tables)[:5])}...) but no registry schema "
                            "revision; expected a footprint registry or an empty database")


def _upgrade(made, target="head"):
    """Run the migrations up to ``target`` under the write lock (concurrent first uses create the schema once)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import DBAPIError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with made.execution_options(footprint_write=True).connect() as connection:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
                config.attributes["connection"] = connection
                command.upgrade(config, target)
    except DBAPIError as exc:
        raise _unreachable(made.url.render_as_string(hide_password=False), exc) from None


def upgrade(registry: str | os.PathLike | None = None) -> tuple:
    """Bring the registry's schema to :func:`head_revision` (``footprint registry upgrade``): (revision before, after).

    Raises
    ------
    RegistryError
        A revision this code does not know (newer), or the database cannot be reached.
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    url = registry_url(registry)
    made = _make_engine(url)
    head = head_revision()
    try:
        with made.connect() as connection:
            before = current_revision(connection)
            tables = inspect(connection).get_table_names()
    except DBAPIError as exc:
        raise _unreachable(url, exc) from None
    if before is None:
        _refuse_foreign(url, tables)
    elif before not in known_revisions():
        raise RegistryError(f"{describe(url)}: schema revision {before} is newer than this footprint knows (up to {head}); "
                            "nothing was changed")
    if before != head:
        _upgrade(made)
    _ENGINES.pop((url, os.getpid()), None)
    return before, head


@contextlib.contextmanager
def transaction(registry: str | os.PathLike | None = None, *, write: bool = True):
    """A session in one transaction: committed when the block ends well, rolled back otherwise.

    With ``write``, the registry's write lock is taken first, so writers run one at a time.

    Raises
    ------
    RegistryError
        The registry cannot be reached, or the lock was not free within :data:`LOCK_TIMEOUT` seconds.
    """
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.orm import Session

    made = engine(registry)
    bind = made.execution_options(footprint_write=True) if write else made
    url = made.url.render_as_string(hide_password=False)
    started = time.monotonic()
    try:
        with Session(bind, expire_on_commit=False, autoflush=True) as session:
            with session.begin():
                if write and made.dialect.name == "postgresql":
                    connection = session.connection()
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}s'")
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
                yield session
    except DBAPIError as exc:
        if "locked" in str(exc).lower() or "lock timeout" in str(exc).lower():
            raise RegistryError(f"{describe(url)}: the registry stayed locked by another writer for "
                                f"{time.monotonic() - started:.0f} s; try again") from None
        raise _unreachable(url, exc) from None
