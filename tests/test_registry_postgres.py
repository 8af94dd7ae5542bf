"""The certification registry on a real PostgreSQL server: the tests of test_registry.py that
touch the database, run again with each test in a database of its own.

The server's URL comes from ``FOOTPRINT_TEST_POSTGRES`` (``make test`` starts a throwaway
server with scripts/start-test-postgres.sh and sets it). Without it the tests skip, saying
how to run them, except in CI (``CI`` or ``FOOTPRINT_REQUIRE_POSTGRES=1``, which the
Makefile's test target sets): there a missing or unreachable server is a failure, never a
skip. A URL that is set but does not answer is a failure everywhere.

Each test gets a new database (``CREATE DATABASE``); ``granted`` is a copy of a template
database holding the granted applications (``CREATE DATABASE ... TEMPLATE``), made once per
test process. The databases are dropped when the process ends.
"""

import atexit
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

# The tests below are test_registry's own functions, collected here again: the fixtures of this
# module (registry, granted_template) replace that module's, the others are shared.
from test_registry import (  # noqa: F401
    granted,
    make_granted_template,
    material,
    test_bad_input_is_one_line_exit_1_and_writes_nothing,
    test_eight_processes_issuing_at_once_get_unique_numbers_and_lose_no_event,
    test_events_are_append_only_and_the_chain_finds_a_changed_removed_or_moved_event,
    test_from_application_to_the_first_surveillance,
    test_kill_9_in_the_middle_of_a_write_leaves_the_registry_consistent,
    test_no_decision_with_an_open_major_finding_nor_by_an_auditor,
    test_the_cli_runs_the_process_with_json_everywhere,
    test_the_schema_is_the_migrations_and_a_newer_one_is_refused,
    test_the_surveillance_and_label_rules,
)

ENV = "FOOTPRINT_TEST_POSTGRES"
HOW = "FOOTPRINT_TEST_POSTGRES=\"$(sh scripts/start-test-postgres.sh)\" (make test does it)"
_CREATED = []


def required() -> bool:
    """Whether a PostgreSQL server must be there (CI, or the Makefile's test target)."""
    return os.environ.get("FOOTPRINT_REQUIRE_POSTGRES") == "1" or os.environ.get("CI", "").lower() in ("1", "true", "yes")


def server_url() -> str:
    """The test server's URL, checked; skips (or, where required, fails) without one."""
    url = os.environ.get(ENV, "").strip()
    if not url:
        message = f"no PostgreSQL server for the registry tests: set {HOW}"
        if required():
            pytest.fail(f"{message}; required here (CI / FOOTPRINT_REQUIRE_POSTGRES=1), so this is a failure, not a skip")
        pytest.skip(message)
    try:
        with _admin(url) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the message
        pytest.fail(f"{ENV}={url}: the server does not answer ({' '.join(str(exc).split())[:200]})")
    return url


def _admin(url):
    """An autocommit connection to the server's maintenance database (CREATE and DROP DATABASE)."""
    import psycopg

    return psycopg.connect(database_url(url, "postgres"), autocommit=True, connect_timeout=10)


def database_url(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _new_name() -> str:
    return f"fp_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"


def _created(url, name):
    if not _CREATED:
        atexit.register(_drop_all, url)
    _CREATED.append(name)
    return database_url(url, name)


def _drop_all(url):
    try:
        with _admin(url) as connection:
            for name in _CREATED:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:  # noqa: BLE001 - the cluster is a throwaway one; a leftover database harms nothing
        pass


def new_database(url: str) -> str:
    """A new, empty database on the server; its URL."""
    name = _new_name()
    with _admin(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return _created(url, name)


def clone_database(source: str) -> str:
    """A copy of the database of ``source`` (no one may be connected to it: the registry holds no connection between calls)."""
    name = _new_name()
    with _admin(source) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(source).path.lstrip("/")}"')
    return _created(source, name)


@pytest.fixture(scope="session")
def postgres():
    return server_url()


@pytest.fixture
def registry(postgres):
    """A new, empty registry: a database of its own on the test server."""
    return new_database(postgres)


@pytest.fixture(scope="session")
def granted_template(postgres, material):  # noqa: F811 - the fixture imported above
    url = new_database(postgres)
    return url, make_granted_template(url, material["dossier"])


def test_the_registry_is_postgresql_and_writers_take_the_advisory_lock(registry):
    from footprint.registry.db import LOCK_KEY, engine, transaction

    assert engine(registry).dialect.name == "postgresql"
    with transaction(registry) as session:
        held = session.connection().exec_driver_sql(
            f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            f"AND ((classid::bigint << 32) | objid::bigint) = {LOCK_KEY}").scalar()
    assert held == 1


def test_a_missing_server_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("FOOTPRINT_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="required here"):
        server_url()
    monkeypatch.delenv("FOOTPRINT_REQUIRE_POSTGRES")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required here"):
        server_url()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="start-test-postgres.sh"):
        server_url()
