"""Two server processes on one PostgreSQL database at once: the server keeps no state of its own.

The PostgreSQL server is the registry tests' (``FOOTPRINT_TEST_POSTGRES``, started by ``make
test`` with scripts/start-test-postgres.sh; a missing server fails in CI and skips elsewhere,
as tests/test_registry_postgres.py decides). Four writers add entries through one process and
submit them through the other; every write is there once, in order in the event chain, and
each process reads what the other wrote; a token revoked is refused by both at once.
"""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from test_registry_postgres import new_database, server_url

import footprint.shareddb as shared
from footprint.shareddb.tokens import issue_token, revoke_tokens

from conftest import ROOT

TODAY = dt.date.today()
WRITERS, EACH = 4, 8


def entry(entry_id):
    return {"id": entry_id, "kind": "supplier_declaration", "title": f"Polysilicon {entry_id}", "value": "30.5 kg CO2e/kg",
            "source": "two processes", "valid_from": str(TODAY - dt.timedelta(days=1)),
            "valid_until": str(TODAY + dt.timedelta(days=365))}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_up(port, process):
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"a server stopped: {process.stderr.read().decode()[-400:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail("a server did not start in 60 s")


@pytest.fixture
def two_servers(footprint_home):
    url = new_database(server_url())
    shared.set_role("PG Supplier", "supplier", registry=url)
    shared.set_role("PG Reviewer", "certification_body", registry=url)
    ports = [free_port(), free_port()]
    env = {**os.environ, "FOOTPRINT_REGISTRY": url, "FOOTPRINT_HOME": str(footprint_home)}
    processes = [subprocess.Popen([sys.executable, "-m", "footprint", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for port in ports]
    try:
        for port, process in zip(ports, processes):
            wait_up(port, process)
        yield url, [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)


def test_two_processes_on_one_postgresql_lose_and_duplicate_nothing(two_servers):
    import httpx

    from footprint.registry.events import verify_chain
    from footprint.registry.models import Event
    from footprint.shareddb.db import transaction
    from footprint.shareddb.models import SharedEntry

    url, bases = two_servers
    token = issue_token("PG Supplier", registry=url)["token"]
    headers = {"Authorization": f"Bearer {token}"}
    answers = []

    def write(number):
        first, second = httpx.Client(base_url=bases[number % 2], timeout=30), httpx.Client(base_url=bases[1 - number % 2], timeout=30)
        for count in range(EACH):
            entry_id = f"P{number}-{count}"
            made = first.post("/shared/entries", content=json.dumps(entry(entry_id)), headers=headers)
            moved = second.post(f"/shared/entries/{entry_id}@1/submit", content="{}", headers=headers)
            answers.append((entry_id, made.status_code, moved.status_code))
        first.close()
        second.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(answers) == WRITERS * EACH and {(made, moved) for _, made, moved in answers} == {(201, 200)}
    with transaction(url, write=False) as session:
        rows = session.query(SharedEntry.entry_id, SharedEntry.state).all()
        events = [(action, subject) for action, subject in session.query(Event.action, Event.subject)]
        chain = verify_chain(session)
    assert sorted(entry_id for entry_id, _ in rows) == sorted(entry_id for entry_id, _, _ in answers)
    assert {state for _, state in rows} == {"submitted"}
    for entry_id, _, _ in answers:
        assert events.count(("shared.add", f"entry:{entry_id}@1")) == 1
        assert events.count(("shared.submit", f"entry:{entry_id}@1")) == 1
    assert chain.ok, chain.problems
    for base in bases:  # each process reads what both wrote
        listed = httpx.get(f"{base}/shared/entries", headers=headers, timeout=30).json()["data"]
        assert len(listed) == WRITERS * EACH
    revoke_tokens("PG Supplier", registry=url)
    for base in bases:
        refused = httpx.get(f"{base}/shared/entries", headers=headers, timeout=30)
        assert refused.status_code == 401 and refused.json()["message"] == "revoked token"
