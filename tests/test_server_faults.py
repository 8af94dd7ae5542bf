"""The server killed (kill -9) in the middle of writes, and restarted: nothing committed is lost, nothing half-written is seen.

A real ``footprint serve`` process on loopback takes entries from 4 writers; once some are
acknowledged it is killed with SIGKILL while requests are in flight, then started again on
the same registry. Every entry acknowledged (201) is there, each once, with its event; an
entry whose answer was cut by the kill is there whole or not at all; the event chain
verifies; and the restarted server serves and takes writes.
"""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

import footprint.shareddb as shared
from footprint.shareddb.tokens import issue_token

from conftest import ROOT

TODAY = dt.date.today()


def entry(entry_id):
    return {"id": entry_id, "kind": "supplier_declaration", "title": f"Polysilicon {entry_id}", "value": "30.5 kg CO2e/kg",
            "source": "fault test", "valid_from": str(TODAY - dt.timedelta(days=1)),
            "valid_until": str(TODAY + dt.timedelta(days=365)), "note": "n" * 2000}


def start(registry, port, home):
    env = {**os.environ, "FOOTPRINT_REGISTRY": registry, "FOOTPRINT_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "footprint", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_up(port, process):
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {process.stderr.read().decode()[-400:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail("the server did not start in 60 s")


@pytest.fixture
def served(tmp_path, footprint_home):
    registry = str(tmp_path / "registry.sqlite")
    shared.set_role("Fault Supplier", "supplier", registry=registry)
    token = issue_token("Fault Supplier", registry=registry)["token"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    processes = []
    yield registry, token, port, footprint_home, processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_kill_9_mid_write_and_restart_lose_nothing_committed(served):
    import httpx

    from footprint.registry.events import verify_chain
    from footprint.registry.models import Event
    from footprint.shareddb.db import transaction
    from footprint.shareddb.models import SharedEntry

    registry, token, port, home, processes = served
    processes.append(start(registry, port, home))
    wait_up(port, processes[-1])
    acknowledged, attempted, cut_off, stop = [], [], [], threading.Event()
    headers = {"Authorization": f"Bearer {token}"}

    def write(number):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for count in range(10_000):
                if stop.is_set():
                    return
                entry_id = f"K{number}-{count}"
                attempted.append(entry_id)
                try:
                    answer = client.post("/shared/entries", content=json.dumps(entry(entry_id)), headers=headers)
                except httpx.HTTPError:
                    cut_off.append(entry_id)  # in flight when the server died
                    return
                if answer.status_code == 201:
                    acknowledged.append(entry_id)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 12 and time.monotonic() < deadline:
        time.sleep(0.02)
    processes[-1].send_signal(signal.SIGKILL)  # in the middle of the writers' requests
    processes[-1].wait(10)
    stop.set()
    for thread in writers:
        thread.join(20)
    assert len(acknowledged) >= 12 and cut_off, "the kill came between writes, not in the middle of one"

    processes.append(start(registry, port, home))
    wait_up(port, processes[-1])
    with transaction(registry, write=False) as session:
        rows = [row for row in session.scalars(session.query(SharedEntry).statement)]
        adds = [subject for (subject,) in session.query(Event.subject).filter(Event.action == "shared.add")]
        chain = verify_chain(session)
    stored = [row.entry_id for row in rows]
    assert set(acknowledged) <= set(stored), "an acknowledged entry was lost"
    assert len(stored) == len(set(stored)), "an entry is there twice"
    cut = set(stored) - set(acknowledged)
    assert cut <= set(cut_off)  # only a request in flight at the kill may be there without its answer, and only whole
    for row in rows:
        assert json.loads(row.content)["note"] == "n" * 2000 and row.state == "draft"
    assert sorted(adds) == sorted(f"entry:{entry_id}@1" for entry_id in stored)
    assert chain.ok, chain.problems
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    listed = client.get("/shared/entries", headers=headers).json()["data"]
    assert {row["ref"] for row in listed} == {f"{entry_id}@1" for entry_id in stored}
    assert client.post("/shared/entries", content=json.dumps(entry("AFTER")), headers=headers).status_code == 201
    client.close()


def test_serve_says_where_it_listens(served):
    """uvicorn says only warnings: the command's own line names the address and the database (no password)."""
    registry, _, port, home, processes = served
    process = start(registry, port, home)
    processes.append(process)
    wait_up(port, process)
    process.send_signal(signal.SIGINT)
    process.wait(30)
    first = process.stderr.read().decode().splitlines()[0]
    assert first == (f"footprint serve: http://127.0.0.1:{port} on sqlite:///{registry}, 1 worker(s); health check GET "
                     "/healthz; Ctrl-C stops it")
