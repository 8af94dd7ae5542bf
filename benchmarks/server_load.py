"""Load on the server over loopback: 50 readers of PACT footprints and 8 writers of entries at once, for a bounded time.

A fresh registry (SQLite file, or ``--registry postgresql://...``) gets members with tokens
and ``--seed`` published entries, each with a PACT ProductFootprint; ``footprint serve`` is
started as its own process on 127.0.0.1. Then, for ``--seconds``:

- 50 readers (asyncio, httpx) each loop: ``GET /2/footprints?limit=50`` (a page), then
  ``GET /2/footprints/{id}`` of a footprint of that page;
- 8 writers each loop: ``POST /shared/entries`` (a new supplier declaration, id
  ``W<writer>-<n>``), then ``POST /shared/entries/<id>@1/submit``.

Afterwards it checks that nothing was lost or duplicated: every entry a writer got 201 for is
in the database once, submitted if its submit got 200; no entry is there that no writer was
answered for (except at most one per writer whose answer was cut at the deadline); every add
and submit has its event, and the registry's event chain verifies. It prints requests per
second and the median and 95th percentile latency of reads and writes, as JSON.

Usage::

    .venv/bin/python benchmarks/server_load.py [--seconds 20] [--readers 50] [--writers 8] [--workers 1]

Loopback only (127.0.0.1); every loop stops at the deadline. Client and server share the
machine's 2 cores, so the numbers are those of both together.

Measured on this project's 2-core machine (2026-12-02, shared with other work), docs/server.md.
"""

import argparse
import asyncio
import copy
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date.today()
PACT = {
    "specVersion": "2.2.0", "version": 0, "created": "2026-01-10T00:00:00Z", "status": "Active", "comment": "",
    "companyName": "Load Supplier", "companyIds": ["urn:pact:load.example:company:s"], "productDescription": "polysilicon",
    "productIds": ["urn:pact:load.example:product-id:poly"], "productCategoryCpc": "34240", "productNameCompany": "Poly",
    "pcf": {"declaredUnit": "kilogram", "unitaryProductAmount": "1", "pCfExcludingBiogenic": "30.5", "fossilGhgEmissions": "30.5",
            "fossilCarbonContent": "0", "biogenicCarbonContent": "0", "characterizationFactors": "AR6",
            "ipccCharacterizationFactorsSources": ["AR6"], "crossSectoralStandardsUsed": ["ISO Standard 14067"],
            "boundaryProcessesDescription": "cradle to gate", "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z", "exemptedEmissionsPercent": 0, "exemptedEmissionsDescription": "",
            "packagingEmissionsIncluded": False},
}


def entry(entry_id):
    return {"id": entry_id, "kind": "supplier_declaration", "title": f"Polysilicon {entry_id}", "value": "30.5 kg CO2e/kg",
            "source": "load test", "valid_from": str(TODAY - dt.timedelta(days=1)),
            "valid_until": str(TODAY + dt.timedelta(days=365)), "payload": copy.deepcopy(PACT)}


def prepare(registry, seed):
    """Members, their tokens and ``seed`` published entries; returns the tokens."""
    import footprint.shareddb as shared
    from footprint.shareddb.tokens import issue_token

    for org, role in (("Load Operator", "operator"), ("Load Body", "certification_body"), ("Load Supplier", "supplier"),
                      ("Load Reader", "manufacturer")):
        shared.set_role(org, role, registry=registry)
    for index in range(seed):
        ref = shared.add_entry(entry(f"SEED-{index}"), owner="Load Supplier", registry=registry)["ref"]
        shared.submit(ref, by="Load Supplier", registry=registry)
        shared.validate(ref, reviewer="Load Body", by="Reviewer", registry=registry)
        shared.publish(ref, by="Load Supplier", registry=registry)
    return {org: issue_token(org, registry=registry)["token"] for org in ("Load Supplier", "Load Reader")}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(registry, port, workers):
    env = {**os.environ, "FOOTPRINT_REGISTRY": registry}
    process = subprocess.Popen([sys.executable, "-m", "footprint", "serve", "--port", str(port), "--workers", str(workers)],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start: {process.stderr.read().decode()[-500:]}")


async def send(client, method, path, errors, **options):
    """One request; a broken connection counts as an error ("transport"), not a crash of the benchmark."""
    import httpx

    try:
        return await client.request(method, path, **options)
    except httpx.TransportError as exc:
        errors.append(f"transport: {type(exc).__name__}")
        return None


async def reader(client, token, deadline, latencies, errors):
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        started = time.perf_counter()
        page = await send(client, "GET", "/2/footprints?limit=50", errors, headers=headers)
        if page is None:
            continue
        latencies.append(time.perf_counter() - started)
        if page.status_code != 200:
            errors.append(page.status_code)
            continue
        docs = page.json()["data"]
        if docs and time.monotonic() < deadline:
            started = time.perf_counter()
            one = await send(client, "GET", f"/2/footprints/{docs[len(latencies) % len(docs)]['id']}", errors, headers=headers)
            if one is None:
                continue
            latencies.append(time.perf_counter() - started)
            if one.status_code != 200:
                errors.append(one.status_code)


async def writer(client, token, number, deadline, latencies, errors, acknowledged, submitted, attempted):
    headers = {"Authorization": f"Bearer {token}"}
    count = 0
    while time.monotonic() < deadline:
        entry_id = f"W{number}-{count}"
        count += 1
        attempted.append(entry_id)
        started = time.perf_counter()
        made = await send(client, "POST", "/shared/entries", errors, content=json.dumps(entry(entry_id)), headers=headers)
        if made is None:
            continue
        latencies.append(time.perf_counter() - started)
        if made.status_code != 201:
            errors.append(made.status_code)
            continue
        acknowledged.append(entry_id)
        started = time.perf_counter()
        moved = await send(client, "POST", f"/shared/entries/{entry_id}@1/submit", errors, content="{}", headers=headers)
        if moved is None:
            continue
        latencies.append(time.perf_counter() - started)
        if moved.status_code == 200:
            submitted.append(entry_id)
        else:
            errors.append(moved.status_code)


async def load(base, tokens, seconds, readers, writers):
    import httpx

    limits = httpx.Limits(max_connections=readers + writers, max_keepalive_connections=readers + writers)
    reads, writes, read_errors, write_errors, acknowledged, submitted, attempted = [], [], [], [], [], [], []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        tasks = [reader(client, tokens["Load Reader"], deadline, reads, read_errors) for _ in range(readers)]
        tasks += [writer(client, tokens["Load Supplier"], n, deadline, writes, write_errors, acknowledged, submitted, attempted)
                  for n in range(writers)]
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "reads": reads, "writes": writes, "read_errors": read_errors, "write_errors": write_errors,
            "acknowledged": acknowledged, "submitted": submitted, "attempted": attempted}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


def check(registry, run, seed):
    """Nothing lost, nothing duplicated, every write with its event, the chain intact."""
    from sqlalchemy import select

    from footprint.registry.events import verify_chain
    from footprint.registry.models import Event
    from footprint.shareddb.db import transaction
    from footprint.shareddb.models import SharedEntry

    with transaction(registry, write=False) as session:
        rows = session.execute(select(SharedEntry.entry_id, SharedEntry.version, SharedEntry.state)
                               .where(SharedEntry.entry_id.like("W%"))).all()
        events = session.execute(select(Event.action, Event.subject).where(Event.subject.like("entry:W%"))).all()
        chain = verify_chain(session)
    ids = [row.entry_id for row in rows]
    stored = set(ids)
    acknowledged, submitted = set(run["acknowledged"]), set(run["submitted"])
    unanswered = stored - acknowledged  # committed, but the answer was cut at the deadline (or never sent)
    states = {row.entry_id: row.state for row in rows}
    adds = {subject.split(":", 1)[1].split("@")[0] for action, subject in events if action == "shared.add"}
    submits = {subject.split(":", 1)[1].split("@")[0] for action, subject in events if action == "shared.submit"}
    return {
        "entries_written": len(acknowledged), "entries_stored": len(stored),
        "lost": sorted(acknowledged - stored), "duplicated": sorted({i for i in ids if ids.count(i) > 1}),
        "stored_without_answer": sorted(unanswered), "never_attempted": sorted(stored - set(run["attempted"])),
        "submitted_not_recorded": sorted(i for i in submitted if states.get(i) != "submitted"),
        "rows_without_event": sorted(stored - adds), "submits_without_event": sorted(i for i, s in states.items()
                                                                                   if s == "submitted" and i not in submits),
        "chain_ok": chain.ok, "events": chain.events,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=200)
    parser.add_argument("--registry", default=None, help="postgresql://... (default: a new SQLite file)")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        raise SystemExit("--seconds: expected 1 to 600")
    folder = Path(tempfile.mkdtemp(prefix="footprint-load-"))
    os.environ.setdefault("FOOTPRINT_HOME", str(folder / "home"))
    registry = args.registry or str(folder / "registry.sqlite")
    tokens = prepare(registry, args.seed)
    port = free_port()
    server = start_server(registry, port, args.workers)
    try:
        run = asyncio.run(load(f"http://127.0.0.1:{port}", tokens, args.seconds, args.readers, args.writers))
    finally:
        server.terminate()
        server.wait(30)
    verdict = check(registry, run, args.seed)
    result = {
        "readers": args.readers, "writers": args.writers, "workers": args.workers, "seconds": round(run["elapsed"], 2),
        "database": "postgresql" if registry.startswith("postgres") else "sqlite", "seeded_footprints": args.seed,
        "requests": len(run["reads"]) + len(run["writes"]),
        "requests_per_second": round((len(run["reads"]) + len(run["writes"])) / run["elapsed"], 1),
        "reads": {"count": len(run["reads"]), "per_second": round(len(run["reads"]) / run["elapsed"], 1),
                  "p50_ms": round(1000 * statistics.median(run["reads"]), 1) if run["reads"] else None,
                  "p95_ms": round(1000 * percentile(run["reads"], 0.95), 1), "errors": len(run["read_errors"]),
                  "error_kinds": sorted({str(error) for error in run["read_errors"]})},
        "writes": {"count": len(run["writes"]), "per_second": round(len(run["writes"]) / run["elapsed"], 1),
                   "p50_ms": round(1000 * statistics.median(run["writes"]), 1) if run["writes"] else None,
                   "p95_ms": round(1000 * percentile(run["writes"], 0.95), 1), "errors": len(run["write_errors"]),
                   "error_kinds": sorted({str(error) for error in run["write_errors"]})},
        "check": verdict,
    }
    print(json.dumps(result, indent=2))
    ok = (not verdict["lost"] and not verdict["duplicated"] and verdict["chain_ok"] and not verdict["rows_without_event"]
          and not verdict["submitted_not_recorded"] and not verdict["never_attempted"]
          and len(verdict["stored_without_answer"]) <= args.writers + len(run["write_errors"]))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
